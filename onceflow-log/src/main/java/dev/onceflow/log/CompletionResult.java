package dev.onceflow.log;

/** The outcome of {@link Log#commitPrepared} or {@link Log#abortPrepared}. */
public enum CompletionResult {
  /** This call committed the transaction. */
  COMMITTED,
  /** This call aborted the transaction. */
  ABORTED,
  /** The transaction had already been committed (by an earlier call or producer); nothing was done. */
  ALREADY_COMMITTED,
  /** The transaction had already been aborted; nothing was done. */
  ALREADY_ABORTED;

  /** Whether this call changed the transaction's state. */
  public boolean appliedNow() {
    return this == COMMITTED || this == ABORTED;
  }
}
