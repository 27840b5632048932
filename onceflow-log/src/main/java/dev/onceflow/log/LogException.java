package dev.onceflow.log;

/** Base of every exception the log throws on purpose. Each subclass is one failure a caller must react to. */
public class LogException extends RuntimeException {
  /** With a message that names the thing and the fix. */
  public LogException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public LogException(String message, Throwable cause) {
    super(message, cause);
  }
}
