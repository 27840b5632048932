package dev.onceflow.core.source;

/**
 * A replayable source of records, read by {@code parallelism} subtasks. Each subtask gets a reader for its share of the
 * splits (e.g. index ranges, log partitions); the runtime snapshots each reader's position in checkpoints and hands it
 * back on restore. Parallelism does not change between restarts of a job.
 *
 * <p>Decorators are welcome (the verifier wraps sources to inject failures): delegate every method.
 */
public interface Source<T> {
  /** A short stable name, used in logs, errors and checkpoint files. */
  String name();

  /** Creates the reader of subtask {@code context.subtask()}, positioned at {@code context.restoredPosition()}. */
  SourceReader<T> createReader(SourceContext context) throws Exception;
}
