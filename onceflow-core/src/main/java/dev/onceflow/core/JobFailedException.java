package dev.onceflow.core;

/**
 * A job failed and its restart strategy allows no further restart. The cause is the failure of the last attempt; the
 * checkpoint directory still holds the latest completed checkpoint, so a new process can resume from it.
 */
public final class JobFailedException extends RuntimeException {
  /** Creates the exception. */
  public JobFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
