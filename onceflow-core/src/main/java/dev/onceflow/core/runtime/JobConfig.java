package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.RestartStrategy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A validated job configuration (built by {@link dev.onceflow.core.Pipeline}).
 *
 * @param name job name
 * @param guarantee processing guarantee
 * @param parallelism subtasks per stage
 * @param maxParallelism key groups
 * @param checkpointInterval zero = only the final checkpoint
 * @param checkpointTimeout a checkpoint not complete after this is discarded
 * @param checkpointDir where checkpoints live; null = a temporary directory deleted when the job ends
 * @param retainedCheckpoints completed checkpoints kept
 * @param restartStrategy what to do on failure
 * @param batchSize records per batch between subtasks
 * @param channelCapacity batches per channel before the sender blocks
 * @param failOnDecodeError fail instead of dead-lettering undecodable source records
 * @param watermarkIntervalMillis minimum time between two watermarks of a source subtask; 0 = after every batch
 * @param listeners lifecycle listeners
 * @param atMostOnceReadAhead AT_MOST_ONCE: records a source subtask may read (and reserve) ahead of what it processed
 * @param alignedSnapshots AT_LEAST_ONCE: take aligned snapshots even if no sink asks for them
 */
public record JobConfig(
    String name,
    Guarantee guarantee,
    int parallelism,
    int maxParallelism,
    Duration checkpointInterval,
    Duration checkpointTimeout,
    Path checkpointDir,
    int retainedCheckpoints,
    RestartStrategy restartStrategy,
    int batchSize,
    int channelCapacity,
    boolean failOnDecodeError,
    long watermarkIntervalMillis,
    List<JobListener> listeners,
    int atMostOnceReadAhead,
    boolean alignedSnapshots) {}
