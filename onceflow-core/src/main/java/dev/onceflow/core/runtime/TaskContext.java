package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;

/**
 * What an operator of one subtask knows about where it runs.
 *
 * @param jobName pipeline name
 * @param subtask subtask index
 * @param parallelism number of subtasks per stage
 * @param maxParallelism number of key groups
 * @param guarantee the pipeline's guarantee
 * @param batchSize records per batch between subtasks
 * @param cancelled the attempt's cancellation flag
 */
record TaskContext(
    String jobName,
    int subtask,
    int parallelism,
    int maxParallelism,
    Guarantee guarantee,
    int batchSize,
    CancelFlag cancelled) {}
