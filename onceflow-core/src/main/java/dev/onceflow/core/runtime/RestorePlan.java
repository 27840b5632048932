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
 * @param sinkSubtasksByName per sink name, the sink subtask indexes whose transactions recovery resolves: every index
 *     any job on this directory ever started that sink with, at least the checkpoint's parallelism
 */
record RestorePlan(
    Optional<CompletedCheckpoint> checkpoint, int checkpointParallelism, JobHistory history,
    java.util.Map<String, Integer> sinkSubtasksByName) {
  /** How many subtask indexes of sink {@code name} recovery resolves (0 for a sink it does not know). */
  int sinkSubtasks(String name) {
    return sinkSubtasksByName.getOrDefault(name, 0);
  }

  /** The most subtask indexes any sink's recovery resolves. */
  int sinkSubtasks() {
    return sinkSubtasksByName.values().stream().mapToInt(Integer::intValue).max().orElse(0);
  }

  /** True if the checkpoint was taken with another parallelism than the job's: state and positions move. */
  boolean rescaling(int parallelism) {
    return checkpoint.isPresent() && checkpointParallelism != parallelism;
  }
}
