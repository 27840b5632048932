package dev.onceflow.core.source;

import java.util.Objects;

/**
 * A {@link SourceReader} that hands every call to another one: the base for decorators that add behaviour around
 * {@link #poll} (fault injection, pacing, gating) while positions, watermarks and closing stay the wrapped reader's.
 */
public abstract class ForwardingSourceReader<T> implements SourceReader<T> {
  /** The wrapped reader. */
  protected final SourceReader<T> delegate;

  /** Wraps {@code delegate}. */
  protected ForwardingSourceReader(SourceReader<T> delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
    return delegate.poll(output, maxRecords);
  }

  @Override
  public byte[] snapshotPosition() {
    return delegate.snapshotPosition();
  }

  @Override
  public boolean hasReached(byte[] position) {
    return delegate.hasReached(position);
  }

  @Override
  public long currentWatermark() {
    return delegate.currentWatermark();
  }

  @Override
  public void close() throws Exception {
    delegate.close();
  }
}
