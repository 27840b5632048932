package dev.onceflow.core.source;

import java.util.List;
import java.util.Optional;

/**
 * A source that delegates every method to another: extend it to decorate a source (pace it, inject faults) by
 * overriding {@link #createReader} and calling {@code super.createReader}, and the rest (name, rescaling) stays right.
 *
 * @param <T> record type
 */
public abstract class ForwardingSource<T> implements Source<T> {
  private final Source<T> delegate;

  /** Forwards to {@code delegate}. */
  protected ForwardingSource(Source<T> delegate) {
    this.delegate = java.util.Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public SourceReader<T> createReader(SourceContext context) throws Exception {
    return delegate.createReader(context);
  }

  @Override
  public boolean rescalable() {
    return delegate.rescalable();
  }

  @Override
  public void checkpointCompleted(long checkpointId, List<byte[]> subtaskPositions) {
    delegate.checkpointCompleted(checkpointId, subtaskPositions);
  }

  @Override
  public Optional<byte[]> rescalePosition(List<byte[]> oldPositions, int subtask, int parallelism) {
    return delegate.rescalePosition(oldPositions, subtask, parallelism);
  }
}
