package dev.onceflow.core.runtime;

/** Unwinds a subtask's thread when its attempt was cancelled; not a failure of its own. */
final class TaskCancelledException extends RuntimeException {
  TaskCancelledException() {
    super("attempt cancelled", null, false, false);
  }
}
