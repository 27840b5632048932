package dev.onceflow.core.runtime;

/**
 * Cooperative cancellation of one attempt. Threads are never interrupted: an interrupt inside FileChannel I/O closes
 * the channel, which would break a shared log or sink file. Blocking waits poll this flag instead.
 */
final class CancelFlag {
  private volatile boolean cancelled;

  void cancel() {
    cancelled = true;
  }

  boolean isCancelled() {
    return cancelled;
  }

  void check() {
    if (cancelled) {
      throw new TaskCancelledException();
    }
  }
}
