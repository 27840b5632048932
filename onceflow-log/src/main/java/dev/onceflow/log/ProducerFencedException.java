package dev.onceflow.log;

/** A newer producer instance with the same transactional id (or a newer epoch of this producer id) exists. This instance is a zombie: close it; do not retry. */
public final class ProducerFencedException extends LogException {
  /** With a message that names the thing and the fix. */
  public ProducerFencedException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public ProducerFencedException(String message, Throwable cause) {
    super(message, cause);
  }
}
