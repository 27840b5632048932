package dev.onceflow.core.source;

import java.util.Optional;

/**
 * What a source reader is told when it is created.
 *
 * @param jobName the pipeline name
 * @param subtask this reader's subtask index, 0-based
 * @param parallelism number of source subtasks
 * @param restoredPosition the position the reader returned from {@link SourceReader#snapshotPosition()} in the
 *     checkpoint (or durable commit) being restored; empty on a fresh start
 */
public record SourceContext(String jobName, int subtask, int parallelism, Optional<byte[]> restoredPosition) {}
