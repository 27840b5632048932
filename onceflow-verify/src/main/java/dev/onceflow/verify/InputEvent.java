package dev.onceflow.verify;

/**
 * One input record of a job, as written to the input topic.
 *
 * @param position position in the input sequence (0-based)
 * @param timestamp the log timestamp (the record's event time)
 * @param json the record value, JSON text
 * @param partitionKey what the {@link InputLayout} places the record by: the position, or, for a job whose expected
 *     output needs one key's records in input order (orders: an item's orders), that key, so that all of its records
 *     lie in one partition (which one source subtask reads in order)
 */
public record InputEvent(long position, long timestamp, String json, long partitionKey) {
  /** A record placed by its position: partition {@code layout.partitionOf(position, P)}. */
  public InputEvent(long position, long timestamp, String json) {
    this(position, timestamp, json, position);
  }

  /** The partition of this record among {@code partitions} under {@code layout}. */
  public int partition(InputLayout layout, int partitions) {
    return layout.partitionOf(partitionKey, partitions);
  }
}
