package dev.onceflow.log;

/**
 * The topic (or partition) does not exist. Create it with Log.createTopic first, or fix the name. Fatal
 * ({@link #retriable()} is false): a configuration error.
 */
public final class UnknownTopicException extends LogException {
  /** With a message that names the thing and the fix. */
  public UnknownTopicException(String message) {
    super(message);
  }

  /** With a message and the underlying cause. */
  public UnknownTopicException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Fatal: {@inheritDoc} */
  @Override
  public boolean retriable() {
    return false;
  }
}
