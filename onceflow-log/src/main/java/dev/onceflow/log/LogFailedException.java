package dev.onceflow.log;

/**
 * The log hit an I/O error while writing or forcing data and stopped (fail-stop): durability of recent appends is
 * unknown. Every later call on this {@link Log} instance throws it. Close the instance and reopen the directory;
 * recovery truncates a torn tail. Fatal for the instance ({@link #retriable()} is false): retrying on the same
 * instance can never succeed.
 */
public final class LogFailedException extends LogException {
  /** With a message that names the thing and the fix. */
  public LogFailedException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public LogFailedException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Fatal: {@inheritDoc} */
  @Override
  public boolean retriable() {
    return false;
  }
}
