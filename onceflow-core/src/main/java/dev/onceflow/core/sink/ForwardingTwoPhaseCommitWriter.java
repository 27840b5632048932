package dev.onceflow.core.sink;

import java.util.Objects;

/**
 * A {@link TwoPhaseCommitWriter} that hands every call to another one: the base for decorators (fault injection,
 * metering) that override only the calls they wrap.
 */
public abstract class ForwardingTwoPhaseCommitWriter<T> implements TwoPhaseCommitWriter<T> {
  /** The wrapped writer. */
  protected final TwoPhaseCommitWriter<T> delegate;

  /** Wraps {@code delegate}. */
  protected ForwardingTwoPhaseCommitWriter(TwoPhaseCommitWriter<T> delegate) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
  }

  @Override
  public void beginTransaction() throws Exception {
    delegate.beginTransaction();
  }

  @Override
  public void write(T record) throws Exception {
    delegate.write(record);
  }

  @Override
  public byte[] preCommit(long checkpointId) throws Exception {
    return delegate.preCommit(checkpointId);
  }

  @Override
  public void abort() throws Exception {
    delegate.abort();
  }

  @Override
  public void close() throws Exception {
    delegate.close();
  }
}
