package dev.onceflow.core;

/**
 * A point-in-time view of a job's counters.
 *
 * @param recordsRead records emitted by all source subtasks in this process (replays count again)
 * @param decodeFailures source records that failed to decode and went to the dead-letter output
 * @param checkpointsCompleted checkpoints completed in this process
 * @param checkpointsFailed checkpoints discarded (timeout or failed attempt) in this process
 * @param lastCompletedCheckpoint id of the latest completed checkpoint, or -1
 * @param restarts attempts restarted after a failure in this process
 */
public record JobMetrics(
    long recordsRead,
    long decodeFailures,
    long checkpointsCompleted,
    long checkpointsFailed,
    long lastCompletedCheckpoint,
    int restarts) {}
