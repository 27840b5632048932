package dev.onceflow.log;

import java.util.Objects;

/**
 * One partition of one topic: the unit of ordering, of offsets and of retention.
 *
 * @param topic the topic name (letters, digits, '.', '_' and '-')
 * @param partition the partition index, {@code 0 <= partition < partitions(topic)}
 */
public record TopicPartition(String topic, int partition) implements Comparable<TopicPartition> {

  /** Validates the fields. */
  public TopicPartition {
    Objects.requireNonNull(topic, "topic");
    if (partition < 0) {
      throw new IllegalArgumentException("partition must be >= 0, was " + partition + " for topic " + topic);
    }
  }

  @Override
  public int compareTo(TopicPartition o) {
    int c = topic.compareTo(o.topic);
    return c != 0 ? c : Integer.compare(partition, o.partition);
  }

  @Override
  public String toString() {
    return topic + "-" + partition;
  }
}
