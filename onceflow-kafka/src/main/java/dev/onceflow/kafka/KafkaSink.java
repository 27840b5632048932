package dev.onceflow.kafka;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.kafka.internal.KafkaTransactionalSink;
import dev.onceflow.kafka.internal.KafkaWriteThroughSink;
import dev.onceflow.kafka.internal.SinkSettings;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Function;

/**
 * Writes to Kafka topics under one of the three guarantees (the pipeline's guarantee must not be stronger; an
 * EXACTLY_ONCE pipeline refuses a non-transactional sink).
 *
 * <ul>
 *   <li>{@link Guarantee#AT_MOST_ONCE}: sends without waiting (acks as configured); records in flight at a crash
 *       may be lost, none is written twice by a replay.
 *   <li>{@link Guarantee#AT_LEAST_ONCE}: idempotent producer, every acknowledgement awaited before a checkpoint
 *       barrier is acknowledged; a replay after a crash writes records again.
 *   <li>{@link Guarantee#EXACTLY_ONCE}: one Kafka transaction per subtask per checkpoint, prepared on the barrier
 *       and committed only after the checkpoint completed; a transaction prepared before a crash and recorded in a
 *       completed checkpoint is committed by the next process (resumed by its producer id and epoch). Readers must
 *       use {@code isolation.level=read_committed}; output becomes visible at each checkpoint.
 * </ul>
 *
 * <p>Every Kafka producer property passes through ({@link KafkaClientBuilder#properties}); values are never logged and never
 * written into checkpoints (a checkpoint token holds a transactional id, producer id and epoch, and offsets).
 */
public final class KafkaSink {
  private KafkaSink() {}

  /** A builder; bootstrap servers, a topic (or topic selector), an encoder and a guarantee are required. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  /** Builds a Kafka sink. */
  public static final class Builder<T> extends KafkaClientBuilder<Builder<T>> {
    private Function<? super T, String> topicOf;
    private String topicName;
    private Encoder<? super T> keyEncoder;
    private Encoder<? super T> valueEncoder;
    private Guarantee guarantee;
    private String transactionalIdPrefix;
    private Duration transactionTimeout = Duration.ofMinutes(15);
    private int producersPerSubtask = 3;
    private Duration markerRetention = Duration.ofDays(7);

    private Builder() {}

    @Override
    Builder<T> self() {
      return this;
    }


    /** Every record goes to {@code topic} (which must exist). */
    public Builder<T> topic(String topic) {
      Objects.requireNonNull(topic, "topic");
      this.topicName = topic;
      this.topicOf = r -> topic;
      return this;
    }

    /** Each record goes to the topic {@code selector} names (deterministic: a replay must choose the same). */
    public Builder<T> topicSelector(Function<? super T, String> selector) {
      this.topicOf = Objects.requireNonNull(selector, "selector");
      this.topicName = "routed";
      return this;
    }

    /** The record key (Kafka partitions by it). Default: no key. */
    public Builder<T> keyEncoder(Encoder<? super T> encoder) {
      this.keyEncoder = Objects.requireNonNull(encoder, "encoder");
      return this;
    }

    /** The record value. Required. */
    public Builder<T> valueEncoder(Encoder<? super T> encoder) {
      this.valueEncoder = Objects.requireNonNull(encoder, "encoder");
      return this;
    }

    /** What the sink provides; must be at least the pipeline's guarantee. Required. */
    public Builder<T> guarantee(Guarantee guarantee) {
      this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
      return this;
    }

    /**
     * EXACTLY_ONCE: the transactional ids are {@code <prefix>-<subtask>-<k>}. Default {@code onceflow-<pipeline>-<sink
     * name>}. Two running pipelines must never share a prefix (the second fences the first, which then fails).
     */
    public Builder<T> transactionalIdPrefix(String prefix) {
      this.transactionalIdPrefix = Objects.requireNonNull(prefix, "prefix");
      return this;
    }

    /**
     * EXACTLY_ONCE: the producers' {@code transaction.timeout.ms} (default 15 minutes, the broker's default {@code
     * transaction.max.timeout.ms}). A job down longer than this loses the output of its last checkpoint (the broker
     * aborts it); the restarted job then fails with {@link KafkaTransactionLostException} naming it.
     */
    public Builder<T> transactionTimeout(Duration timeout) {
      this.transactionTimeout = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** EXACTLY_ONCE: transactional producers per subtask (default 3: one open, others awaiting commit). */
    public Builder<T> producersPerSubtask(int n) {
      if (n < 2) {
        throw new IllegalArgumentException("producersPerSubtask must be >= 2 (one open, one awaiting commit)");
      }
      this.producersPerSubtask = n;
      return this;
    }

    /** EXACTLY_ONCE: retention of the marker topic {@code <prefix>.markers} (default 7 days; above any outage). */
    public Builder<T> markerRetention(Duration retention) {
      this.markerRetention = Objects.requireNonNull(retention, "retention");
      return this;
    }




    /** The sink: transactional under EXACTLY_ONCE, write-through otherwise. */
    public Sink<T> build() {
      requireBootstrapServers("KafkaSink");
      if (topicOf == null) {
        throw new IllegalArgumentException("KafkaSink: topic(...) or topicSelector(...) is required");
      }
      if (valueEncoder == null) {
        throw new IllegalArgumentException("KafkaSink: valueEncoder(...) is required");
      }
      if (guarantee == null) {
        throw new IllegalArgumentException("KafkaSink: guarantee(...) is required (EXACTLY_ONCE, AT_LEAST_ONCE or "
            + "AT_MOST_ONCE)");
      }
      if (properties.containsKey("transactional.id")) {
        throw new IllegalArgumentException("KafkaSink: do not set transactional.id; use transactionalIdPrefix(...)");
      }
      Properties copy = propertiesCopy();
      SinkSettings<T> s = new SinkSettings<>(bootstrapServers, topicOf, keyEncoder, valueEncoder, guarantee, copy,
          transactionalIdPrefix, transactionTimeout, producersPerSubtask, markerRetention, clock);
      String name = "kafka-" + topicName;
      return guarantee == Guarantee.EXACTLY_ONCE
          ? new KafkaTransactionalSink<>(s, name)
          : new KafkaWriteThroughSink<>(s, name);
    }
  }
}
