package dev.onceflow.kafka;

import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.kafka.internal.KafkaSourceReader;
import dev.onceflow.kafka.internal.SourcePosition;
import dev.onceflow.kafka.internal.SourceSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import org.apache.kafka.common.TopicPartition;

/**
 * Reads Kafka topics. Onceflow assigns the partitions to its subtasks itself (no consumer-group membership, so no
 * rebalances) and keeps each partition's next offset in its own checkpoints: a restored job resumes exactly where the
 * restored checkpoint's state was, under every guarantee. Under AT_MOST_ONCE the runtime makes the position durable
 * before the records read up to it are processed.
 *
 * <ul>
 *   <li>{@code isolation.level=read_committed} by default: an upstream transactional producer's aborted or still
 *       open data never enters the pipeline.
 *   <li>Event time: each record's Kafka timestamp. The reader's watermark is the minimum over its partitions of the
 *       largest timestamp read from each; a partition with nothing to read (lag 0), or with no record for {@link
 *       Builder#idleness}, is idle and does not hold it back.
 *   <li>New partitions of the topics (or new topics matching the pattern) are discovered every {@link
 *       Builder#partitionDiscovery} and read from their earliest offset.
 *   <li>{@link Builder#bounded()}: stop at the end offsets (last stable offsets) seen when the job first started; they
 *       are part of the checkpointed position, so a restarted job stops at the same place.
 *   <li>A checkpointed offset that is no longer in its partition fails the job with {@link
 *       KafkaOffsetOutOfRangeException} (partition, checkpointed offset, log start offset), unless the source was
 *       built with {@link Builder#skipLostOffsets()}: then it resumes at the log start and counts the skipped records
 *       ({@link #lostRecords()}, logged).
 *   <li>Records whose value fails to decode go to the dead-letter topic (headers {@code error} and {@code source} =
 *       {@code topic-partition@offset}), each once even across replays, and are counted in the job metrics.
 * </ul>
 *
 * <p>Every Kafka consumer property passes through ({@link KafkaClientBuilder#properties}: TLS, SASL, quotas); values are never
 * logged nor written into checkpoints (a checkpoint holds topics, partitions and offsets only).
 */
public final class KafkaSource<T> implements Source<T> {
  private final SourceSettings<T> settings;
  private final AtomicLong lost = new AtomicLong();
  private org.apache.kafka.clients.admin.Admin admin; // for commitOffsetsToGroup, created on first use

  
  private KafkaSource(SourceSettings<T> settings) {
    this.settings = settings;
  }

  /** A builder; bootstrap servers, topics (or a pattern) and a decoder are required. */
  public static <T> Builder<T> builder() {
    return new Builder<>();
  }

  @Override
  public String name() {
    return "kafka-" + (settings.pattern() != null ? settings.pattern().pattern() : String.join(",", settings.topics()));
  }

  @Override
  public SourceReader<T> createReader(SourceContext context) {
    return new KafkaSourceReader<>(settings, context, lost);
  }

  /**
   * With {@link Builder#commitOffsetsToGroup}: commits the completed checkpoint's offsets to the group, for
   * monitoring (lag dashboards). Recovery never reads them. A failure is logged by the runtime and ignored.
   */
  @Override
  public void checkpointCompleted(long checkpointId, List<byte[]> subtaskPositions) {
    if (settings.commitGroup() == null) {
      return;
    }
    Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new java.util.HashMap<>();
    for (byte[] pos : subtaskPositions) {
      if (pos != null) {
        SourcePosition.decode(pos).forEach((tp, p) -> offsets.put(tp,
            new org.apache.kafka.clients.consumer.OffsetAndMetadata(p[0], "onceflow checkpoint " + checkpointId)));
      }
    }
    if (offsets.isEmpty()) {
      return;
    }
    synchronized (this) {
      if (admin == null) {
        Properties p = KafkaSourceReader.filter(settings.consumerProperties(),
            org.apache.kafka.clients.admin.AdminClientConfig.configNames());
        p.put("bootstrap.servers", settings.bootstrapServers());
        admin = org.apache.kafka.clients.admin.Admin.create(p);
      }
    }
    try {
      admin.alterConsumerGroupOffsets(settings.commitGroup(), offsets).all().get(30,
          java.util.concurrent.TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("committing checkpoint " + checkpointId + "'s offsets to group "
          + settings.commitGroup() + " failed (monitoring only; recovery does not use them)", e);
    }
  }

  /** Records skipped because retention deleted them before they were read (only with skipLostOffsets). */
  public long lostRecords() {
    return lost.get();
  }

  /** Partitions are the splits: each moves with its offsets to the subtask that owns it at the new parallelism. */
  @Override
  public boolean rescalable() {
    return true;
  }

  @Override
  public Optional<byte[]> rescalePosition(List<byte[]> oldPositions, int subtask, int parallelism) {
    Map<TopicPartition, long[]> all = new TreeMap<>(
        java.util.Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    for (byte[] old : oldPositions) {
      if (old != null) {
        all.putAll(SourcePosition.decode(old));
      }
    }
    if (all.isEmpty()) {
      return Optional.empty();
    }
    Map<TopicPartition, long[]> mine = new java.util.LinkedHashMap<>();
    for (var e : all.entrySet()) {
      if (KafkaSourceReader.owner(e.getKey(), parallelism) == subtask) {
        mine.put(e.getKey(), e.getValue());
      }
    }
    return Optional.of(SourcePosition.encode(mine));
  }

  /** Builds a {@link KafkaSource}. Names follow Flink's {@code KafkaSource} builder where they mean the same. */
  public static final class Builder<T> extends KafkaClientBuilder<Builder<T>> {
    private List<String> topics = List.of();
    private Pattern pattern;
    private Decoder<T> decoder;
    private StartingOffsets startingOffsets = StartingOffsets.earliest();
    private boolean bounded;
    private boolean skipLostOffsets;
    private String deadLetterTopic;
    private dev.onceflow.log.Log deadLetterLog;
    private Duration idleness;
    private Duration partitionDiscovery = Duration.ofSeconds(10);
    private String commitGroup;

    private Builder() {}

    @Override
    Builder<T> self() {
      return this;
    }

    /**
     * After each completed checkpoint, commit its offsets to consumer group {@code groupId}: for monitoring only
     * (lag tools); the source never joins the group and recovery never reads these offsets.
     */
    public Builder<T> commitOffsetsToGroup(String groupId) {
      this.commitGroup = Objects.requireNonNull(groupId, "groupId");
      return this;
    }


    /** The topics to read (they must exist). */
    public Builder<T> topics(String... topics) {
      this.topics = List.of(topics);
      this.pattern = null;
      return this;
    }

    /** Every topic whose name matches {@code pattern}, including topics created later (see partitionDiscovery). */
    public Builder<T> topicPattern(Pattern pattern) {
      this.pattern = Objects.requireNonNull(pattern, "pattern");
      this.topics = List.of();
      return this;
    }

    /** Turns each record's value into a record of the pipeline; throwing sends it to the dead-letter topic. */
    public Builder<T> decoder(Decoder<T> decoder) {
      this.decoder = Objects.requireNonNull(decoder, "decoder");
      return this;
    }

    /** Where a fresh start begins (default earliest). A restored job always resumes at its checkpoint. */
    public Builder<T> startingOffsets(StartingOffsets offsets) {
      this.startingOffsets = Objects.requireNonNull(offsets, "offsets");
      return this;
    }

    /** Stops at the end offsets seen when the job first started (batch runs, the verifier). */
    public Builder<T> bounded() {
      this.bounded = true;
      return this;
    }

    /** Accept records lost to retention: resume at the log start, count and log what was skipped. */
    public Builder<T> skipLostOffsets() {
      this.skipLostOffsets = true;
      return this;
    }

    /** The topic undecodable records go to (created with one partition if missing). Default {@code <topic>.dlq}. */
    public Builder<T> deadLetterTopic(String topic) {
      this.deadLetterTopic = Objects.requireNonNull(topic, "topic");
      return this;
    }

    /**
     * Undecodable records go to the embedded log {@code log} instead of Kafka: its topic named as
     * {@link #deadLetterTopic} (default {@code <topic>.dlq}), created with one partition if missing, with headers
     * {@code error} and {@code source=topic-partition@offset}. Each record is durable there (the log's fsync policy)
     * before the next is read, and written once across replays (a restarted reader skips what the topic holds for its
     * partitions). The log must stay open while the job runs.
     */
    public Builder<T> deadLetterLog(dev.onceflow.log.Log log) {
      this.deadLetterLog = Objects.requireNonNull(log, "log");
      return this;
    }

    /** A partition with no new record for this long stops holding back the watermark. */
    public Builder<T> idleness(Duration timeout) {
      this.idleness = Objects.requireNonNull(timeout, "timeout");
      return this;
    }

    /** How often to look for new partitions and topics (default 10 s; zero = never). */
    public Builder<T> partitionDiscovery(Duration interval) {
      this.partitionDiscovery = Objects.requireNonNull(interval, "interval");
      return this;
    }




    /** The source. */
    public KafkaSource<T> build() {
      requireBootstrapServers("KafkaSource");
      if (topics.isEmpty() && pattern == null) {
        throw new IllegalArgumentException("KafkaSource: topics(...) or topicPattern(...) is required");
      }
      if (decoder == null) {
        throw new IllegalArgumentException("KafkaSource: decoder(...) is required");
      }
      if (bounded && pattern != null) {
        throw new IllegalArgumentException("KafkaSource: bounded() needs fixed topics(...), not a pattern");
      }
      String dlq = deadLetterTopic != null ? deadLetterTopic
          : (topics.isEmpty() ? "onceflow" : topics.get(0)) + ".dlq";
      Properties copy = propertiesCopy();
      return new KafkaSource<>(new SourceSettings<>(bootstrapServers, topics, pattern, decoder, copy, startingOffsets,
          bounded, skipLostOffsets, dlq, deadLetterLog, idleness, partitionDiscovery, clock, commitGroup));
    }
  }
}
