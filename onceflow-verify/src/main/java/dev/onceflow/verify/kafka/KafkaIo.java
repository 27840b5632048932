package dev.onceflow.verify.kafka;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.Source;
import dev.onceflow.kafka.KafkaSink;
import dev.onceflow.kafka.KafkaSource;
import dev.onceflow.log.Log;
import dev.onceflow.verify.InputStore;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.OutputRow;
import dev.onceflow.verify.OutputStore;
import dev.onceflow.verify.SinkFactory;
import dev.onceflow.verify.SourceFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The Kafka store ({@code verify --io kafka}, {@code --sink kafka}): the verifier's {@link InputStore} and
 * {@link OutputStore} on a Kafka cluster, and the child's {@link SourceFactory} ({@link KafkaSource}, bounded at the
 * end offsets seen at its first start) and {@link SinkFactory} ({@link KafkaSink}: transactional under EXACTLY_ONCE,
 * write-through otherwise; clicks as records keyed {@code session|ts}, read back as a table).
 *
 * <p>Settings ({@link IoOptions#settings()}, passed to the children as {@code io.*}): {@link #BOOTSTRAP_SERVERS} (a
 * running cluster; without it the verification starts its own local broker and stops it at the end) and
 * {@link #PREFIX} (the verification's topics are {@code <prefix>.<job>-input} and {@code <prefix>.<job>-output}, its
 * transactional ids start with {@code <prefix>.<job>-output}). Security settings are not passed: child arguments are
 * visible to every user of the machine.
 */
public final class KafkaIo {
  /** The store's name in {@link IoOptions}. */
  public static final String NAME = "kafka";
  /** Setting: the cluster's bootstrap servers. */
  public static final String BOOTSTRAP_SERVERS = "kafka.bootstrap-servers";
  /** Setting: the prefix of the verification's topics and transactional ids. */
  public static final String PREFIX = "kafka.prefix";

  private KafkaIo() {}

  /** The verifier's input store of the verification in {@code logDir}'s parent (the work directory). */
  public static InputStore input(IoOptions io, Path logDir) {
    return new KafkaInputStore(KafkaCluster.acquire(io, logDir.toAbsolutePath().getParent()));
  }

  /** The verifier's output store of the verification in {@code logDir}'s parent (the work directory). */
  public static OutputStore output(IoOptions io, Path logDir) {
    return output(io, logDir, Job.OUTPUT);
  }

  /** The verifier's store of the job's output {@code output} (topic {@code <prefix>.<job>-<output>}). */
  public static OutputStore output(IoOptions io, Path logDir, String output) {
    return new KafkaOutputStore(KafkaCluster.acquire(io, logDir.toAbsolutePath().getParent()), output);
  }

  /** The Kafka topic of the verifier's topic {@code name} under {@code prefix}. */
  static String topic(String prefix, String name) {
    return prefix + "." + name;
  }

  /** The transactional id prefix of the sink writing the verifier's topic {@code name}. */
  static String transactionalIdPrefix(String prefix, String name) {
    return topic(prefix, name);
  }

  /** The child's sources: a bounded {@link KafkaSource} over the input topic (the child's log is unused). */
  public static SourceFactory sources(Map<String, String> io) {
    String servers = require(io, BOOTSTRAP_SERVERS);
    String prefix = require(io, PREFIX);
    return new SourceFactory() {
      @Override
      public <T> Source<T> create(Log log, String topic, Job job, Decoder<T> decoder) {
        return KafkaSource.<T>builder().bootstrapServers(servers).topics(topic(prefix, topic)).bounded()
            .decoder(decoder).partitionDiscovery(Duration.ZERO).build();
      }
    };
  }

  /**
   * The child's sinks: a {@link KafkaSink} into the output topic under the pipeline's effective guarantee
   * (EXACTLY_ONCE transactional), clicks keyed by its table key.
   */
  public static SinkFactory sinks(Map<String, String> io) {
    String servers = require(io, BOOTSTRAP_SERVERS);
    String prefix = require(io, PREFIX);
    return new SinkFactory() {
      @Override
      public Sink<OutputRow> create(Log log, String topic, Job job, Guarantee guarantee) {
        return create(log, topic, job, Job.OUTPUT, guarantee);
      }

      @Override
      public Sink<OutputRow> create(Log log, String topic, Job job, String output, Guarantee guarantee) {
        KafkaSink.Builder<OutputRow> b = KafkaSink.<OutputRow>builder().bootstrapServers(servers)
            .topic(topic(prefix, topic)).valueEncoder(OutputRow::encodeValue).guarantee(guarantee)
            .property("linger.ms", "5");
        if (job.isTable(output)) { // clicks, the orders inventory: one key's records in one partition, in order
          b.keyEncoder(OutputRow::encodeKey);
        }
        if (guarantee == Guarantee.EXACTLY_ONCE) {
          b.transactionalIdPrefix(transactionalIdPrefix(prefix, topic));
        }
        return b.build();
      }
    };
  }

  private static String require(Map<String, String> io, String key) {
    String v = io.get(key);
    if (v == null || v.isBlank()) {
      throw new IllegalArgumentException("the Kafka store needs the child argument io." + key + "=...");
    }
    return v;
  }
}
