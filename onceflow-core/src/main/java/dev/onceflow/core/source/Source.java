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
}
