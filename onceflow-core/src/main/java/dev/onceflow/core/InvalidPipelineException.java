package dev.onceflow.core;

/**
 * A pipeline definition cannot keep its promise or is incomplete; thrown while the pipeline is built, before any
 * thread starts. The message names the operator or sink and the fix.
 */
public final class InvalidPipelineException extends RuntimeException {
  /** Creates the exception with a message that names the problem and the fix. */
  public InvalidPipelineException(String message) {
    super(message);
  }
}
