package dev.onceflow.log;

/** The transactional call is not allowed in the transaction's current state (for example send without beginTransaction, or a transaction that timed out and was aborted). The message says which state; usually abortTransaction() then retry. */
public final class InvalidTxnStateException extends LogException {
  /** With a message that names the thing and the fix. */
  public InvalidTxnStateException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public InvalidTxnStateException(String message, Throwable cause) {
    super(message, cause);
  }
}
