package dev.onceflow.kafka;

import java.time.Clock;
import java.util.Objects;
import java.util.Properties;

/**
 * What the {@link KafkaSource} and {@link KafkaSink} builders share: the cluster's address, the Kafka client
 * properties passed through unchanged (TLS, SASL, quotas, fetch and batch sizes; never logged by Onceflow, never
 * written into checkpoints) and the clock.
 *
 * @param <B> the concrete builder, returned by every setter
 */
public abstract class KafkaClientBuilder<B extends KafkaClientBuilder<B>> {
  String bootstrapServers;
  final Properties properties = new Properties();
  Clock clock = Clock.systemUTC();

  KafkaClientBuilder() {}

  abstract B self();

  /** The cluster's bootstrap servers, {@code host:port[,host:port...]}. Required. */
  public B bootstrapServers(String servers) {
    this.bootstrapServers = Objects.requireNonNull(servers, "servers");
    return self();
  }

  /** A Kafka client property (the consumer's for a source, the producer's for a sink), passed through. */
  public B property(String key, String value) {
    properties.setProperty(key, value);
    return self();
  }

  /** Kafka client properties, passed through (see {@link #property}). */
  public B properties(Properties props) {
    props.forEach((k, v) -> properties.setProperty(String.valueOf(k), String.valueOf(v)));
    return self();
  }

  /** The clock (tests): a source's idleness and discovery, a sink's prepared-at times of transactions. */
  public B clock(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    return self();
  }

  /** Fails naming {@code component} unless the bootstrap servers were set. */
  void requireBootstrapServers(String component) {
    if (bootstrapServers == null || bootstrapServers.isBlank()) {
      throw new IllegalArgumentException(component + ": bootstrapServers(...) is required");
    }
  }

  /** A copy of the pass-through properties (the built source or sink must not see later changes). */
  Properties propertiesCopy() {
    Properties copy = new Properties();
    copy.putAll(properties);
    return copy;
  }
}
