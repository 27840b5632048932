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

  /** Aborts the open (not prepared) transaction, if any; called when the subtask is cancelled or fails. */
  void abort() throws Exception;

  /** Releases resources. Prepared transactions stay prepared. */
  @Override
  default void close() throws Exception {}
}
