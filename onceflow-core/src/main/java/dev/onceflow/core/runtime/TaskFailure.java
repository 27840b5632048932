package dev.onceflow.core.runtime;

/** Carries a checked exception through a user callback (a Collector) that cannot declare it; unwrapped by the task. */
final class TaskFailure extends RuntimeException {
  TaskFailure(Exception cause) {
    super(cause);
  }
}
