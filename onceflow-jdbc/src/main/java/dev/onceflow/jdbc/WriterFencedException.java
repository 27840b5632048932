package dev.onceflow.jdbc;

import dev.onceflow.core.NonRecoverableException;

/**
 * A writer of an older epoch (a zombie: a process or attempt that a newer one replaced) tried to apply, prepare or
 * commit. Nothing it wrote was applied. Not recoverable for that writer: it must stop; the newer writer owns the
 * progress row.
 */
public final class WriterFencedException extends NonRecoverableException {
  /** With a message naming the sink subtask and the epochs. */
  public WriterFencedException(String message) {
    super(message);
  }
}
