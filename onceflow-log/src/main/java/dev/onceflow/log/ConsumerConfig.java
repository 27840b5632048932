package dev.onceflow.log;

import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of a consumer.
 *
 * @param isolation what the consumer may see
 * @param groupId the consumer group whose committed offsets it reads and writes; empty for none
 * @param failOnDeletedPositions if true, a position below the partition's start offset (records deleted by retention
 *     before they were read) makes {@link Consumer#seek} and {@link Consumer#poll(int)} throw
 *     {@link OffsetOutOfRangeException}; if false (the default, like Kafka's {@code auto.offset.reset=earliest}) the
 *     position silently moves up to the start offset
 */
public record ConsumerConfig(Isolation isolation, Optional<String> groupId, boolean failOnDeletedPositions) {

  /** Validates the fields. */
  public ConsumerConfig {
    Objects.requireNonNull(isolation, "isolation");
    Objects.requireNonNull(groupId, "groupId (use Optional.empty())");
    groupId.ifPresent(g -> {
      if (g.isEmpty()) {
        throw new IllegalArgumentException("ConsumerConfig.groupId must not be empty; use Optional.empty() for no group");
      }
    });
  }

  /** A consumer that moves a deleted position up to the start offset. */
  public ConsumerConfig(Isolation isolation, Optional<String> groupId) {
    this(isolation, groupId, false);
  }

  /** A read-committed consumer without a group. */
  public static ConsumerConfig readCommitted() {
    return new ConsumerConfig(Isolation.READ_COMMITTED, Optional.empty());
  }

  /** A read-uncommitted consumer without a group. */
  public static ConsumerConfig readUncommitted() {
    return new ConsumerConfig(Isolation.READ_UNCOMMITTED, Optional.empty());
  }

  /** This configuration with the given consumer group. */
  public ConsumerConfig withGroupId(String group) {
    return new ConsumerConfig(isolation, Optional.of(group), failOnDeletedPositions);
  }

  /**
   * This configuration, refusing to skip deleted records: a position below the start offset throws
   * {@link OffsetOutOfRangeException} naming the partition, the position and the start offset.
   */
  public ConsumerConfig withFailOnDeletedPositions() {
    return new ConsumerConfig(isolation, groupId, true);
  }
}
