package dev.onceflow.verify.kafka;

import dev.onceflow.verify.InputEvent;
import dev.onceflow.verify.InputLayout;
import dev.onceflow.verify.InputStore;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.JobRunSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The input topic {@code <prefix>.<job>-input}: event at position i to partition {@code layout.partitionOf(i)} with
 * the event's timestamp, every send acknowledged by all replicas, and the end offsets checked against the input
 * afterwards (a lost or doubled input record fails here, not as a wrong result later).
 */
final class KafkaInputStore implements InputStore {
  private final KafkaCluster cluster;

  KafkaInputStore(KafkaCluster cluster) {
    this.cluster = cluster;
  }

  @Override
  public void write(Job job, int partitions, InputLayout layout, boolean retention, List<InputEvent> input) {
    if (retention) {
      throw new IllegalArgumentException("the retention nemesis needs the embedded log (it runs one retention pass"
          + " of its own between restarts); with --io kafka leave out --retention (or --nemeses all: list the others)");
    }
    String topic = KafkaIo.topic(cluster.prefix(), JobRunSpec.inputTopic(job));
    try (Admin admin = cluster.admin()) {
      KafkaTopics.create(admin, topic, partitions);
      produce(topic, partitions, layout, input);
      checkEndOffsets(admin, topic, partitions, layout, input);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while writing the input to Kafka topic " + topic, e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot write the input to Kafka topic " + topic + ": " + e, e);
    }
  }

  private void produce(String topic, int partitions, InputLayout layout, List<InputEvent> input)
      throws InterruptedException, java.util.concurrent.ExecutionException, java.util.concurrent.TimeoutException {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    p.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    // Not idempotent, one request in flight (as the kafka module's tests learned): on a fresh topic the idempotent
    // producer can stick on OUT_OF_ORDER_SEQUENCE_NUMBER after a NOT_LEADER_OR_FOLLOWER; one request in flight keeps
    // the order, long timeouts avoid a client-side resend of an appended batch, and the end offsets are checked.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<Future<?>> acks = new ArrayList<>();
      for (InputEvent e : input) {
        acks.add(producer.send(new ProducerRecord<>(topic, e.partition(layout, partitions),
            e.timestamp(), null, e.json().getBytes(StandardCharsets.UTF_8))));
      }
      for (Future<?> a : acks) {
        a.get(300, TimeUnit.SECONDS);
      }
    }
  }

  private static void checkEndOffsets(Admin admin, String topic, int partitions, InputLayout layout,
      List<InputEvent> input) throws InterruptedException, java.util.concurrent.ExecutionException,
      java.util.concurrent.TimeoutException {
    long[] expected = new long[partitions];
    for (InputEvent e : input) {
      expected[e.partition(layout, partitions)]++;
    }
    Map<TopicPartition, OffsetSpec> q = new HashMap<>();
    for (int i = 0; i < partitions; i++) {
      q.put(new TopicPartition(topic, i), OffsetSpec.latest());
    }
    var end = admin.listOffsets(q).all().get(120, TimeUnit.SECONDS);
    for (int i = 0; i < partitions; i++) {
      long got = end.get(new TopicPartition(topic, i)).offset();
      if (got != expected[i]) {
        throw new IllegalStateException("Kafka topic " + topic + " partition " + i + " holds " + got
            + " records after writing the input, expected " + expected[i] + " (a new prefix gives a fresh topic)");
      }
    }
  }

  @Override
  public Map<String, String> childSettings() {
    return cluster.childSettings();
  }

  @Override
  public void close() {
    cluster.release();
  }
}
