package dev.onceflow.core.metrics;

/** Why a checkpoint was discarded (the {@code reason} tag of {@link MetricNames#CHECKPOINT_FAILURES}). */
public enum CheckpointFailureReason {
  /** Not every subtask acknowledged within the checkpoint timeout (backpressure, a slow snapshot, a stuck task). */
  TIMEOUT("timeout"),
  /** The attempt failed or was cancelled while the checkpoint was in flight. */
  ATTEMPT_ENDED("attempt_ended"),
  /** Writing or syncing the checkpoint's {@code _metadata} file failed. */
  METADATA_WRITE_FAILED("metadata_write_failed"),
  /** The checkpoint is durable but a sink's commit failed; recovery commits its transactions again. */
  SINK_COMMIT_FAILED("sink_commit_failed");

  private final String tag;

  CheckpointFailureReason(String tag) {
    this.tag = tag;
  }

  /** The stable tag value (lower case), never the ordinal. */
  public String tag() {
    return tag;
  }
}
