package dev.onceflow.verify;

/**
 * One committed output record as a read-committed reader of the output topic sees it, in partition offset order.
 *
 * @param key the record key as UTF-8 text, or null (only the clicks job writes keys: its table key)
 * @param value the record value, JSON text
 */
public record OutputRecord(String key, String value) {
  /** An unkeyed record. */
  public static OutputRecord of(String value) {
    return new OutputRecord(null, value);
  }
}
