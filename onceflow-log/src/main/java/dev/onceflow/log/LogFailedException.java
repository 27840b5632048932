package dev.onceflow.log;

/** The log hit an I/O error while forcing data to disk and stopped (fail-stop): durability of recent appends is unknown. Close it and reopen the directory; recovery will truncate to the last valid batch. */
public final class LogFailedException extends LogException {
  /** With a message that names the thing and the fix. */
  public LogFailedException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public LogFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
