package dev.onceflow.core.source;

import java.util.List;
import java.util.Optional;

/**
 * A replayable source of records, read by {@code parallelism} subtasks. Each subtask gets a reader for its share of the
 * splits (e.g. index ranges, log partitions); the runtime snapshots each reader's position in checkpoints and hands it
 * back on restore. A job restored with another parallelism asks the source to redistribute the positions of the old
 * subtasks over the new ones ({@link #rescalePosition}); sources that cannot (the default) make it refuse to start.
 *
 * <p>Decorators are welcome (the verifier wraps sources to inject failures): delegate every method.
 */
public interface Source<T> {
  /** A short stable name, used in logs, errors and checkpoint files. */
  String name();

  /** Creates the reader of subtask {@code context.subtask()}, positioned at {@code context.restoredPosition()}. */
  SourceReader<T> createReader(SourceContext context) throws Exception;

  /** Whether {@link #rescalePosition} can redistribute positions over another parallelism. False by default. */
  default boolean rescalable() {
    return false;
  }

  /**
   * The position of subtask {@code subtask} of {@code parallelism}, from the positions every subtask of an earlier run
   * with another parallelism checkpointed ({@code oldPositions.get(i)} of old subtask i, null if it had none). Empty =
   * start from the beginning of whatever the subtask is assigned. Only called if {@link #rescalable()}.
   */
  default Optional<byte[]> rescalePosition(List<byte[]> oldPositions, int subtask, int parallelism) {
    throw new UnsupportedOperationException(name() + " cannot redistribute its positions over another parallelism");
  }

  /**
   * Checkpoint {@code checkpointId} is complete and durable: a restart restores (at the latest) these positions, so
   * nothing before them will be read again by this pipeline. Sources use it to tell their external system where the
   * pipeline stands, e.g. commit the positions as consumer-group offsets (so that retention keeps what a restore
   * still needs, and operators see the lag), like Flink's {@code notifyCheckpointComplete}. Never use it to make
   * output visible or to decide what a restore reads: the checkpoint is the only source of truth, and this call may
   * be missed (a crash right after the checkpoint was written) or late.
   *
   * <p>Called once per completed checkpoint, in checkpoint order, on the checkpoint coordinator's thread, after the
   * checkpoint's metadata is durable and before the sinks commit; under every guarantee. It must not block for long
   * (it delays the sinks' commit of this checkpoint). An exception is logged and ignored: the checkpoint stays
   * completed. Default: nothing.
   *
   * @param checkpointId the completed checkpoint
   * @param subtaskPositions {@code subtaskPositions.get(i)} is the position subtask i's reader returned from
   *     {@link SourceReader#snapshotPosition()} for this checkpoint (null if it recorded none); one entry per source
   *     subtask of this run
   */
  default void checkpointCompleted(long checkpointId, List<byte[]> subtaskPositions) {}
}
