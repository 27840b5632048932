package dev.onceflow.log;

/**
 * Base of every exception the log throws on purpose. Each subclass is one failure a caller must react to.
 *
 * <p>{@link #retriable()} says whether trying the same operation again (after a restart of the caller, with the same
 * directory) can succeed. Fatal ones are {@link LogFailedException} (the log stopped; reopen it first),
 * {@link CorruptLogException} (a file is damaged; an operator must repair it), {@link UnsupportedLogFormatException}
 * and {@link OffsetOutOfRangeException} (the data is gone): a runtime must not burn its restarts on them. Plain
 * {@code LogException}s (an I/O error while reading) are retriable.
 */
public class LogException extends RuntimeException {
  /** With a message that names the thing and the fix. */
  public LogException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public LogException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether retrying (e.g. restarting the job on the same directory) can succeed; true unless a subclass says not. */
  public boolean retriable() {
    return true;
  }
}
