package dev.onceflow.core;

import java.time.Duration;

/** A running job started by {@link Pipeline#start()}. Thread-safe. */
public interface JobHandle {
  /**
   * Waits until the job is FINISHED, CANCELLED or FAILED, or the timeout passes.
   *
   * @return true if the job terminated within the timeout
   */
  boolean awaitTermination(Duration timeout) throws InterruptedException;

  /**
   * Waits for termination and returns normally if the job finished or was cancelled.
   *
   * @throws JobFailedException if the job failed with no restart left
   */
  void join() throws InterruptedException;

  /** Stops all subtasks (open transactions are aborted, prepared ones left for recovery) and waits for them. */
  void cancel();

  /** The job's current status. */
  JobStatus status();

  /** Current counters; cheap. */
  JobMetrics metrics();
}
