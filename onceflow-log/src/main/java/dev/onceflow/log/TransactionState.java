package dev.onceflow.log;

/** States of a transaction in the durable transaction log. */
public enum TransactionState {
  /** Data may be sent; invisible to read-committed readers; aborted on timeout, on fencing and on reopen. */
  ONGOING,
  /** Data durable, awaiting an explicit commit or abort ({@link Log#commitPrepared}); survives restarts. */
  PREPARED,
  /** Commit decided and durable; markers being written (completed on reopen after a crash). */
  PREPARE_COMMIT,
  /** Abort decided and durable; markers being written (completed on reopen after a crash). */
  PREPARE_ABORT,
  /** Committed: visible to read-committed readers. */
  COMPLETE_COMMIT,
  /** Aborted: never visible to read-committed readers. */
  COMPLETE_ABORT;

  /** Whether the transaction still holds back the last stable offset of the partitions it touched. */
  public boolean isOpen() {
    return this == ONGOING || this == PREPARED || this == PREPARE_COMMIT || this == PREPARE_ABORT;
  }
}
