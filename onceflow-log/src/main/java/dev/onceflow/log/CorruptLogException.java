package dev.onceflow.log;

/**
 * A file of the log is corrupt where a torn write cannot explain it (inside a sealed segment, or before valid data in
 * the active segment or the coordinator file): the message names the file and byte position. Data there is never
 * served and nothing is truncated; restore the file from a replica or backup, or truncate it deliberately at the
 * position named. Fatal ({@link #retriable()} is false): reopening finds the same damage.
 */
public final class CorruptLogException extends LogException {
  /** With a message that names the thing and the fix. */
  public CorruptLogException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public CorruptLogException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Fatal: {@inheritDoc} */
  @Override
  public boolean retriable() {
    return false;
  }
}
