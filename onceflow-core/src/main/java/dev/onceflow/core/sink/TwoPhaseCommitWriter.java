package dev.onceflow.core.sink;

/**
 * The writing side of one subtask of a {@link TwoPhaseCommitSink}. Called only from that subtask's thread, in the
 * order {@code beginTransaction, write*, preCommit, beginTransaction, write*, preCommit, ...}.
 */
public interface TwoPhaseCommitWriter<T> extends AutoCloseable {
  /** Opens a new transaction; records written next belong to it. */
  void beginTransaction() throws Exception;

  /** Writes one record into the open transaction (invisible to readers until committed). */
  void write(T record) throws Exception;

  /**
   * Prepares the open transaction on checkpoint barrier {@code checkpointId}: its data must be durable and committable
   * by any later process, but still invisible. Returns a small token that the runtime stores in the checkpoint and
   * later passes to {@link TwoPhaseCommitSink#commit(byte[])}. After this, the transaction is no longer open.
   */
  byte[] preCommit(long checkpointId) throws Exception;

  /**
   * What the runtime calls on checkpoint barrier {@code checkpointId}: like {@link #preCommit}, but the preparation may
   * still be finishing when this returns; the runtime awaits the returned token on the checkpoint I/O thread, before
   * the checkpoint is acknowledged (see {@link DeferredToken} for what that guarantees), and calls {@link
   * #beginTransaction} at once, without waiting. After this, the transaction is no longer open. The default prepares
   * synchronously ({@link #preCommit}) and returns a ready token, so a writer that does not override it keeps
   * today's behaviour.
   *
   * <p>A writer that overrides it must let the preparation finish even if {@link #close} is called meanwhile: after
   * the final checkpoint's barrier the runtime closes the writer while the token may still be awaited.
   */
  default DeferredToken preCommitDeferred(long checkpointId) throws Exception {
    return DeferredToken.ready(preCommit(checkpointId));
  }

  /** Aborts the open (not prepared) transaction, if any; called when the subtask is cancelled or fails. */
  void abort() throws Exception;

  /** Releases resources. Prepared transactions stay prepared. */
  @Override
  default void close() throws Exception {}
}
