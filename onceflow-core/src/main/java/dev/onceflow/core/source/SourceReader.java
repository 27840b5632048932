package dev.onceflow.core.source;

/**
 * Reads one subtask's share of a source. Called only from that subtask's thread.
 *
 * <p>Contract: {@link #snapshotPosition()} describes the position right after the last record emitted by {@link
 * #poll}; restoring it must make the reader emit exactly the records after that point again (replayable).
 */
public interface SourceReader<T> extends AutoCloseable {
  /**
   * Emits up to {@code maxRecords} records. May block briefly (at most a few tens of milliseconds) when no data is
   * available, so the runtime can inject checkpoint barriers in time.
   */
  ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception;

  /** The position after the last emitted record, in a form {@link Source#createReader} accepts back. */
  byte[] snapshotPosition();

  /**
   * The smallest event timestamp this reader may still emit (its watermark), or Long.MIN_VALUE if unknown. Readers
   * with no data assigned return Long.MAX_VALUE (idle) so they never hold back the watermark.
   */
  default long currentWatermark() {
    return Long.MIN_VALUE;
  }

  /** Releases resources. */
  @Override
  default void close() throws Exception {}
}
