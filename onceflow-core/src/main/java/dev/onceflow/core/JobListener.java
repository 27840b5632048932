package dev.onceflow.core;

import dev.onceflow.core.metrics.CheckpointStats;
import dev.onceflow.core.metrics.RecoveryEvent;

/**
 * Observes a job's lifecycle. Called from runtime threads: implementations must be cheap, thread-safe and must not
 * block. Every method has an empty default.
 */
public interface JobListener {
  /** Checkpoint {@code id} is complete: its metadata file is durable. Sinks are not committed yet. */
  default void onCheckpointCompleted(long id) {}

  /** Every sink committed the transactions of checkpoint {@code id}. */
  default void onSinkCommitted(long id) {}

  /** Attempt {@code attempt} (1-based) failed with {@code cause}; a restart may follow. */
  default void onAttemptFailed(int attempt, Throwable cause) {}

  /** The job restored its state from completed checkpoint {@code checkpointId} (at start or after a failure). */
  default void onRestored(long checkpointId) {}

  /**
   * Where the time of checkpoint {@code stats.id()} went, once it completed and its sinks committed (called before
   * {@link #onSinkCommitted}), or why it was discarded ({@link CheckpointStats#failure()}).
   */
  default void onCheckpointStats(CheckpointStats stats) {}

  /** An attempt failed, or an attempt restored its state and resolved the sink transactions before it runs. */
  default void onRecovery(RecoveryEvent event) {}

  /** The job finished: its final checkpoint completed and every sink committed it. */
  default void onFinished() {}
}
