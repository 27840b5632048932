package dev.onceflow.core.sink;

/**
 * Identifies one sink subtask.
 *
 * @param jobName the pipeline name
 * @param sinkName the sink's {@link Sink#name()}
 * @param subtask this subtask's index, 0-based
 * @param parallelism number of sink subtasks
 */
public record SinkContext(String jobName, String sinkName, int subtask, int parallelism) {
  /** A stable id for this subtask, {@code <job>-<sink>-<subtask>}; used e.g. as a transactional id. */
  public String subtaskId() {
    return jobName + "-" + sinkName + "-" + subtask;
  }
}
