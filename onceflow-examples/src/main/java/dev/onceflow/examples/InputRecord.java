package dev.onceflow.examples;

/**
 * One input record an example writes to its input topic before its pipeline runs.
 *
 * @param value the record's text (UTF-8 in the log)
 * @param timestamp the record's event time, epoch milliseconds (the log record's timestamp, which {@code LogSource}
 *     hands to the pipeline as event time)
 * @param key the record's key, or null: records with a key go to the partition of the key (all records of one key in
 *     one partition, in order, as a producer keyed by it writes them); records without one go round-robin
 */
public record InputRecord(String value, long timestamp, String key) {
  /** An unkeyed record (round-robin over the partitions). */
  public InputRecord(String value, long timestamp) {
    this(value, timestamp, null);
  }
}
