package dev.onceflow.log;

/** A sealed segment (or index) is corrupt in the middle: the message names the file and byte position. Data there is never served; restore the file from a replica or backup, or delete the segment deliberately. */
public final class CorruptLogException extends LogException {
  /** With a message that names the thing and the fix. */
  public CorruptLogException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public CorruptLogException(String message, Throwable cause) {
    super(message, cause);
  }
}
