package dev.onceflow.core;

import java.nio.file.Path;

/**
 * The checkpoint directory holds a checkpoint (or the history of an earlier run) that this job cannot restore
 * without breaking its promise: taken under a guarantee that cannot serve this job's guarantee, by a pipeline of
 * another shape, with another {@code maxParallelism}, or with a parallelism this job's sources cannot rescale from.
 * Thrown before any subtask runs, so nothing was read or written; the job is not restarted (a restart would meet the
 * same checkpoint). The message names both sides and the two ways out: run the job as the checkpoint was taken, or
 * start fresh on a new checkpoint directory (and, for a guarantee switch, a new output).
 */
public final class IncompatibleCheckpointException extends NonRecoverableException {
  private final Path checkpointDirectory;

  /** With the directory and a message that names both sides and the fix. */
  public IncompatibleCheckpointException(Path checkpointDirectory, String message) {
    super(message);
    this.checkpointDirectory = checkpointDirectory;
  }

  /** The checkpoint directory that was refused. */
  public Path checkpointDirectory() {
    return checkpointDirectory;
  }
}
