package dev.onceflow.log;

import java.util.Objects;
import java.util.Optional;

/**
 * Configuration of a consumer.
 *
 * @param isolation what the consumer may see
 * @param groupId the consumer group whose committed offsets it reads and writes; empty for none
 */
public record ConsumerConfig(Isolation isolation, Optional<String> groupId) {

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
    return new ConsumerConfig(isolation, Optional.of(group));
  }
}
