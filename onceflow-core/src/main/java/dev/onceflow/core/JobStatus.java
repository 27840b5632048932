package dev.onceflow.core;

/** Where a job is in its life. */
public enum JobStatus {
  /** Threads are running (possibly restarting). */
  RUNNING,
  /** The bounded input was consumed and the final checkpoint committed. */
  FINISHED,
  /** Cancelled by {@link JobHandle#cancel()}. */
  CANCELLED,
  /** Failed with no restart left. */
  FAILED
}
