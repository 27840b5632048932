package dev.onceflow.jdbc;

import dev.onceflow.core.NonRecoverableException;

/**
 * A prepared transaction that a completed checkpoint recorded is gone from the server and was never committed
 * (someone ran ROLLBACK PREPARED on it, or the database was restored from an older backup): that checkpoint's output is
 * lost. Not recoverable by retrying; the message names the transaction and the checkpoint.
 */
public final class PreparedTransactionLostException extends NonRecoverableException {
  /** With a message naming the gid and checkpoint. */
  public PreparedTransactionLostException(String message) {
    super(message);
  }
}
