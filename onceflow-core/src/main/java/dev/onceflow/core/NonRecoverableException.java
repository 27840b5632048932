package dev.onceflow.core;

/**
 * A failure that a restart cannot repair: the job fails at once with this as its cause, whatever its restart strategy
 * allows, instead of burning every restart on the same error. Connectors throw it (or a subclass, or wrap their own
 * exception in it) for errors they know are fatal: bad credentials, a schema the target refuses, a table that does
 * not exist, a corrupt target. Anywhere in a failure's cause chain it makes the whole failure non-recoverable.
 *
 * <p>The runtime also treats these as non-recoverable without a marker: every exception of the embedded log that the
 * log marks fatal ({@code LogException.retriable() == false}: corrupt, fail-stopped, unknown format, a position
 * retention deleted), a full disk ("No space left on device"), {@link InvalidPipelineException},
 * {@link IncompatibleCheckpointException} and {@link CheckpointDirectoryLockedException}. Everything else is retried
 * under the {@link RestartStrategy}.
 *
 * <p>The checkpoint directory is left as it was: once the cause is fixed, a new job on it resumes from its latest
 * completed checkpoint under the same guarantee.
 */
public class NonRecoverableException extends RuntimeException {
  /** With a message that names what failed and what the operator must fix before restarting. */
  public NonRecoverableException(String message) {
    super(message);
  }

  /** With a message and the underlying cause (e.g. a connector client's exception). */
  public NonRecoverableException(String message, Throwable cause) {
    super(message, cause);
  }
}
