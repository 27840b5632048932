package dev.onceflow.verify;

/**
 * The child JVM ended without finishing the job (it exited with an error on its own, printed nothing for too long, or
 * could not be started). This is a failure of the engine or the environment, not a broken promise: read the child's
 * stderr file named in the message.
 */
public final class ChildFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public ChildFailedException(String message) {
    super(message);
  }
}
