package dev.onceflow.log;

import java.util.Arrays;
import java.util.Objects;

/**
 * A consumed record.
 *
 * @param topic the topic it was read from
 * @param partition the partition it was read from
 * @param offset its offset in the partition (dense for plain data; transaction control markers take offsets too
 *     and are never returned)
 * @param timestamp the timestamp given by the producer
 * @param key the key, may be null
 * @param value the value, may be null
 * @param headers the headers, never null
 */
public record LogRecord(
    String topic, int partition, long offset, long timestamp, byte[] key, byte[] value, Headers headers) {

  /** The partition this record came from. */
  public TopicPartition topicPartition() {
    return new TopicPartition(topic, partition);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof LogRecord r
        && topic.equals(r.topic)
        && partition == r.partition
        && offset == r.offset
        && timestamp == r.timestamp
        && Arrays.equals(key, r.key)
        && Arrays.equals(value, r.value)
        && headers.equals(r.headers);
  }

  @Override
  public int hashCode() {
    return Objects.hash(topic, partition, offset);
  }

  @Override
  public String toString() {
    return "LogRecord[" + topic + "-" + partition + "@" + offset + ", ts=" + timestamp
        + ", key=" + (key == null ? "null" : key.length + "B")
        + ", value=" + (value == null ? "null" : value.length + "B") + "]";
  }
}
