package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.CompletedCheckpoint;
import dev.onceflow.core.checkpoint.JobHistory;
import java.util.Optional;

/**
 * What an attempt restores, decided (and checked) by {@link RestorePlanner} before anything runs.
 *
 * @param checkpoint the checkpoint to restore, empty for a fresh start
 * @param checkpointParallelism parallelism the checkpoint was taken with (0 without one)
 * @param history what ran on the directory before, including this job once it started
 * @param sinkSubtasks sink subtask indexes whose transactions recovery resolves: every index any job on this
 *     directory ever started the sink with, at least this job's parallelism
 */
record RestorePlan(
    Optional<CompletedCheckpoint> checkpoint, int checkpointParallelism, JobHistory history, int sinkSubtasks) {
  /** True if the checkpoint was taken with another parallelism than the job's: state and positions move. */
  boolean rescaling(int parallelism) {
    return checkpoint.isPresent() && checkpointParallelism != parallelism;
  }
}
