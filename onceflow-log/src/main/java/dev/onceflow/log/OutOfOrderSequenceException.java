package dev.onceflow.log;

/** A batch's sequence number leaves a gap after the last appended batch of this producer in this partition. Data may have been lost between producer and log: close the producer and restart from the last acknowledged state. */
public final class OutOfOrderSequenceException extends LogException {
  /** With a message that names the thing and the fix. */
  public OutOfOrderSequenceException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public OutOfOrderSequenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
