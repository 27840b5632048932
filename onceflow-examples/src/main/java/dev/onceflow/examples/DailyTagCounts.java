package dev.onceflow.examples;

import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.kafka.KafkaSink;
import dev.onceflow.kafka.KafkaSource;
import dev.onceflow.log.Log;
import java.io.Serializable;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Posts counted per tag in daily windows (the first background text: "count posts with the tag apache-flink in daily
 * windows").
 *
 * <p>EXACTLY_ONCE: a count is a sum of effects, so a post counted twice after a replay (at-least-once) or dropped
 * (at-most-once) makes the number wrong, and nothing downstream can tell. Exactly-once restores the window state and
 * the source position from one checkpoint and commits the window rows in the same checkpoint's transaction.
 */
public final class DailyTagCounts implements OnKafka {
  static final List<String> TAGS = List.of("apache-flink", "apache-kafka", "java", "postgresql", "rust");

  /** A post: its id, tag and creation time. */
  record Post(long id, String tag, long ts) implements Serializable {
    static Post parse(byte[] bytes) {
      String[] f = new String(bytes, java.nio.charset.StandardCharsets.UTF_8).split(",");
      return new Post(Long.parseLong(f[0]), f[1], Long.parseLong(f[2]));
    }
  }

  @Override
  public Pipeline pipeline(Log log, Path checkpointDir) {
    return counts(start(checkpointDir).source(LogSource.of(log, inputTopic(), Post::parse).bounded(), WATERMARKS))
        .sinkTo(LogSink.transactional(log, outputTopic(), Encoder.utf8String()));
  }

  /** The same counts Kafka topic to Kafka topic: a transactional {@code KafkaSink} committed per checkpoint. */
  @Override
  public Pipeline pipeline(KafkaTopics kafka, Path checkpointDir) {
    return counts(start(checkpointDir).source(KafkaSource.<Post>builder().bootstrapServers(kafka.bootstrapServers())
            .topics(kafka.topic(inputTopic())).decoder(Post::parse).bounded().build(), WATERMARKS))
        .sinkTo(KafkaSink.<String>builder().bootstrapServers(kafka.bootstrapServers())
            .topic(kafka.topic(outputTopic())).valueEncoder(Encoder.utf8String())
            .guarantee(Guarantee.EXACTLY_ONCE).transactionalIdPrefix(kafka.topic(outputTopic())).build());
  }

  private static final WatermarkStrategy WATERMARKS = WatermarkStrategy.boundedOutOfOrderness(Duration.ofMinutes(10));

  private static Pipeline start(Path checkpointDir) {
    return Onceflow.pipeline("daily-tag-counts")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(200))
        .checkpointDir(checkpointDir);
  }

  /** The logic, whatever the source and sink: "2026-01-01 java 412" per tag and day. */
  private static DataStream<String> counts(DataStream<Post> posts) {
    return posts.keyBy(Post::tag)
        .window(WindowAssigner.tumbling(Duration.ofDays(1)))
        .count()
        .map(w -> Instant.ofEpochMilli(w.start()).toString().substring(0, 10) + " " + w.key() + " " + w.value());
  }

  /** Post i: tag {@code TAGS[(i*7 + i/3) mod 5]}, created at EPOCH + i * (3 days / events): the input spans 3 days. */
  @Override
  public List<InputRecord> input(long events) {
    List<InputRecord> out = new ArrayList<>();
    long step = Duration.ofDays(3).toMillis() / Math.max(1, events);
    for (long i = 0; i < events; i++) {
      long ts = EPOCH + i * step;
      out.add(new InputRecord(i + "," + tag(i) + "," + ts, ts));
    }
    return out;
  }

  static String tag(long i) {
    return TAGS.get((int) ((i * 7 + i / 3) % TAGS.size()));
  }

  @Override
  public String name() {
    return "tag-counts";
  }

  @Override
  public String summary() {
    return "posts counted per tag in daily windows; EXACTLY_ONCE (a count must not be off by a replay)";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public String inputTopic() {
    return "posts";
  }

  @Override
  public String outputTopic() {
    return "daily-tag-counts";
  }
}
