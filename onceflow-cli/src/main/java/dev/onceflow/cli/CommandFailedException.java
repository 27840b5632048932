package dev.onceflow.cli;

/**
 * A command failed part-way: the message says what failed and what had been acknowledged (or committed) before, so
 * the user knows what to resend or resume. {@link Main} prints it as one line with the root cause, the stack trace
 * only under {@code --verbose}.
 */
final class CommandFailedException extends RuntimeException {
  CommandFailedException(String message, Throwable cause) {
    super(message, cause);
  }
}
