package dev.onceflow.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * A record to append.
 *
 * @param key the key, may be null
 * @param value the value, may be null
 * @param timestamp the record's timestamp in epoch milliseconds (used by retention by time and seekToTimestamp)
 * @param headers the headers; null is treated as {@link Headers#empty()}
 */
public record ProducerRecord(byte[] key, byte[] value, long timestamp, Headers headers) {

  /** Normalises null headers to empty. */
  public ProducerRecord {
    headers = headers == null ? Headers.empty() : headers;
  }

  /** A record with no key or headers, stamped with the current time. */
  public static ProducerRecord of(byte[] value) {
    return new ProducerRecord(null, value, System.currentTimeMillis(), Headers.empty());
  }

  /** A record with no headers, stamped with the current time. */
  public static ProducerRecord of(byte[] key, byte[] value) {
    return new ProducerRecord(key, value, System.currentTimeMillis(), Headers.empty());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ProducerRecord r
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && timestamp == r.timestamp
        && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(Arrays.hashCode(key), Arrays.hashCode(value), timestamp, headers);
  }

  @Override
  public String toString() {
    return "ProducerRecord[key=" + (key == null ? "null" : key.length + "B")
        + ", value=" + (value == null ? "null" : value.length + "B") + ", timestamp=" + timestamp + "]";
  }
}
