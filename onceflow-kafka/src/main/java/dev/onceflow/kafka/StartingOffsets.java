package dev.onceflow.kafka;

import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Where a {@link KafkaSource} starts reading a partition on a fresh start (a restored job always resumes at its
 * checkpointed offsets), and where it starts a partition discovered while running (always the earliest offset, so no
 * record of a new partition is missed).
 */
public final class StartingOffsets {
  enum Kind { EARLIEST, LATEST, COMMITTED, TIMESTAMP }

  final Kind kind;
  final String groupId;
  final long timestamp;

  private StartingOffsets(Kind kind, String groupId, long timestamp) {
    this.kind = kind;
    this.groupId = groupId;
    this.timestamp = timestamp;
  }

  /** The log start offset: everything retention kept. The default. */
  public static StartingOffsets earliest() {
    return new StartingOffsets(Kind.EARLIEST, null, 0);
  }

  /** The end of each partition at start: only records produced later. */
  public static StartingOffsets latest() {
    return new StartingOffsets(Kind.LATEST, null, 0);
  }

  /**
   * The offsets consumer group {@code groupId} committed (earliest where it committed none). Only the starting point:
   * recovery always uses Onceflow's checkpoints, never the group's offsets.
   */
  public static StartingOffsets committed(String groupId) {
    return new StartingOffsets(Kind.COMMITTED, Objects.requireNonNull(groupId, "groupId"), 0);
  }

  /** The first record whose timestamp is at or after {@code epochMillis} (the end where there is none). */
  public static StartingOffsets timestamp(long epochMillis) {
    return new StartingOffsets(Kind.TIMESTAMP, null, epochMillis);
  }

  /**
   * The starting offset of each of {@code partitions}, looked up with {@code consumer} (for committed offsets, with
   * a short-lived consumer of the group built from {@code consumerProperties}; it joins no group).
   */
  public Map<TopicPartition, Long> resolve(
      Consumer<byte[], byte[]> consumer, Set<TopicPartition> partitions, Properties consumerProperties) {
    Map<TopicPartition, Long> out = new HashMap<>();
    if (partitions.isEmpty()) {
      return out;
    }
    switch (kind) {
      case EARLIEST -> out.putAll(consumer.beginningOffsets(partitions));
      case LATEST -> out.putAll(consumer.endOffsets(partitions));
      case TIMESTAMP -> {
        Map<TopicPartition, Long> query = new HashMap<>();
        partitions.forEach(tp -> query.put(tp, timestamp));
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        for (var e : consumer.offsetsForTimes(query).entrySet()) {
          OffsetAndTimestamp o = e.getValue();
          out.put(e.getKey(), o == null ? ends.get(e.getKey()) : o.offset());
        }
      }
      case COMMITTED -> {
        Properties p = new Properties();
        p.putAll(consumerProperties);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<TopicPartition, Long> earliest = consumer.beginningOffsets(partitions);
        try (KafkaConsumer<byte[], byte[]> group =
            new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
          Map<TopicPartition, OffsetAndMetadata> committed = group.committed(partitions);
          for (TopicPartition tp : partitions) {
            OffsetAndMetadata o = committed.get(tp);
            out.put(tp, o == null ? earliest.get(tp) : Math.max(o.offset(), earliest.get(tp)));
          }
        }
      }
    }
    return out;
  }

  @Override
  public String toString() {
    return switch (kind) {
      case EARLIEST -> "earliest";
      case LATEST -> "latest";
      case COMMITTED -> "committed(" + groupId + ")";
      case TIMESTAMP -> "timestamp(" + timestamp + ")";
    };
  }
}
