package dev.onceflow.core.runtime;

import dev.onceflow.core.InvalidPipelineException;
import dev.onceflow.core.NonRecoverableException;
import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.LogFailedException;
import dev.onceflow.log.LogLockedException;
import java.io.IOException;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Sorts an attempt's failure into recoverable (the restart strategy decides) or non-recoverable (the job fails at
 * once: a restart would meet the same corrupt file, full disk or refused configuration, and burning every restart on
 * it only delays the error and hides it in a retry loop). The whole cause chain counts: subtasks wrap what they
 * throw, and connectors wrap client exceptions in a {@link NonRecoverableException}. Log exceptions follow the log's
 * own {@code LogException.retriable()}, except that a log directory owned by another process is fatal here too: a
 * restart of this job would meet the same owner.
 */
final class FailureClassifier {
  private FailureClassifier() {}

  /** Why {@code failure} is non-recoverable, or empty if a restart may repair it. */
  static Optional<String> nonRecoverable(Throwable failure) {
    Map<Throwable, Boolean> seen = new IdentityHashMap<>();
    for (Throwable t = failure; t != null && seen.put(t, Boolean.TRUE) == null; t = t.getCause()) {
      Optional<String> why = classify(t);
      if (why.isPresent()) {
        return why;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> classify(Throwable t) {
    if (t instanceof NonRecoverableException) {
      return Optional.of(t.getClass().getSimpleName() + ": " + t.getMessage());
    }
    if (t instanceof InvalidPipelineException) {
      return Optional.of("the pipeline is invalid: " + t.getMessage());
    }
    if (t instanceof CorruptLogException) {
      return Optional.of("the log is corrupt: " + t.getMessage());
    }
    if (t instanceof LogFailedException) {
      return Optional.of("the log failed and stopped (it must be closed and reopened): " + t.getMessage());
    }
    if (t instanceof dev.onceflow.log.LogException le && !le.retriable()) {
      // e.g. OffsetOutOfRangeException (retention deleted a position), UnsupportedLogFormatException
      return Optional.of(t.getClass().getSimpleName() + ": " + t.getMessage());
    }
    if (t instanceof LogLockedException) {
      return Optional.of("the log directory is owned by another process: " + t.getMessage());
    }
    if (t instanceof IOException && isDiskFull(t.getMessage())) {
      return Optional.of("the disk is full: " + t.getMessage());
    }
    return Optional.empty();
  }

  private static boolean isDiskFull(String message) {
    return message != null && (message.contains("No space left on device") || message.contains("Disk quota exceeded"));
  }
}
