package dev.onceflow.core.source;

/**
 * Reads one subtask's share of a source. Called only from that subtask's thread.
 *
 * <p>Contract: {@link #snapshotPosition()} describes the position right after the last record emitted by {@link
 * #poll}; restoring it must make the reader emit exactly the records after that point again (replayable).
 */
public interface SourceReader<T> extends AutoCloseable {
  /** {@link #currentWatermark()} value: hold the watermark back entirely for now. */
  long HOLD_BACK = Long.MIN_VALUE + 1;

  /**
   * Emits up to {@code maxRecords} records. May block briefly (at most a few tens of milliseconds) when no data is
   * available, so the runtime can inject checkpoint barriers in time.
   */
  ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception;

  /** The position after the last emitted record, in a form {@link Source#createReader} accepts back. */
  byte[] snapshotPosition();

  /**
   * Event-time progress of a reader with several partitions: the minimum over its partitions (that have data) of the
   * largest timestamp emitted from each, so that a partition behind the others holds back the watermark (the
   * strategy's out-of-orderness bound is applied on top). Long.MIN_VALUE = unknown (the runtime uses the largest
   * timestamp emitted); {@link #HOLD_BACK} = some partition has data whose timestamps are not known yet (no
   * watermark may be emitted); Long.MAX_VALUE = nothing assigned (idle: never holds back the watermark).
   */
  default long currentWatermark() {
    return Long.MIN_VALUE;
  }

  /**
   * Whether this reader has emitted every record up to {@code position} (a value {@link #snapshotPosition()} of a reader
   * of the same source and subtask returned), possibly more. AT_MOST_ONCE recovery replays until this holds. The
   * default compares the bytes for equality, which only works if the reader passes through that exact position:
   * readers should compare properly.
   */
  default boolean hasReached(byte[] position) {
    return java.util.Arrays.equals(snapshotPosition(), position);
  }

  /**
   * How far behind this reader is: per partition it reads (a short label, e.g. {@code posts-0}), the number of
   * records between its position and the partition's end (what a read-committed consumer could read now). Called
   * from a metrics thread, not the subtask's: must be thread-safe and cheap, and may be stale by a poll. Empty
   * (the default) = unknown; the runtime then reports no lag for this reader.
   */
  default java.util.Map<String, Long> lag() {
    return java.util.Map.of();
  }

  /** Releases resources. */
  @Override
  default void close() throws Exception {}
}
