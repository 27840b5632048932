package dev.onceflow.core;

/**
 * A job failed: its restart strategy allows no further restart, or the failure was non-recoverable (see {@link
 * NonRecoverableException}) and no restart was tried. The cause is the failure of the last attempt; the checkpoint
 * directory still holds the latest completed checkpoint, so a new process can resume from it once the cause is fixed.
 */
public final class JobFailedException extends RuntimeException {
  private final boolean nonRecoverable;

  /** Creates the exception for a job that used up its restarts. */
  public JobFailedException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * Creates the exception.
   *
   * @param nonRecoverable true if the failure was classified non-recoverable and not retried
   */
  public JobFailedException(String message, Throwable cause, boolean nonRecoverable) {
    super(message, cause);
    this.nonRecoverable = nonRecoverable;
  }

  /** True if the job failed at once on a non-recoverable failure, without trying its restarts. */
  public boolean nonRecoverable() {
    return nonRecoverable;
  }
}
