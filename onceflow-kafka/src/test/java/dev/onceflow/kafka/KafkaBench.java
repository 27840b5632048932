package dev.onceflow.kafka;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * A rough throughput comparison (not a test): Kafka-to-Kafka map job, parallelism 2, 100-byte records, against a
 * plain kafka-clients consume-and-produce loop without transactions, on one local broker. Run with the test class
 * path: {@code java -cp ... dev.onceflow.kafka.KafkaBench [records]}.
 */
public final class KafkaBench {
  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    try (LocalKafkaBroker broker = LocalKafkaBroker.startNew(Files.createTempDirectory("kbench"))) {
      String b = broker.bootstrapServers();
      String in = TestKafka.topic(b, "bench-in", 2);
      List<String> values = new ArrayList<>(n);
      String pad = "x".repeat(92);
      for (int i = 0; i < n; i++) {
        values.add(String.format("%08d", i) + pad);
      }
      TestKafka.produce(b, in, values);
      System.out.printf("plain loop: %,.0f records/s%n", plainLoop(b, in, n));
      for (Object[] c : new Object[][] {{Guarantee.AT_LEAST_ONCE, 1000}, {Guarantee.EXACTLY_ONCE, 1000},
          {Guarantee.EXACTLY_ONCE, 100}}) {
        System.out.printf("onceflow %s %d ms: %,.0f records/s%n", c[0], c[1],
            pipeline(b, in, n, (Guarantee) c[0], (Integer) c[1]));
      }
    }
  }

  static double plainLoop(String b, String in, int n) throws Exception {
    String out = TestKafka.topic(b, "bench-plain", 2);
    Properties c = new Properties();
    c.put("bootstrap.servers", b);
    c.put("isolation.level", "read_committed");
    Properties p = new Properties();
    p.put("bootstrap.servers", b);
    p.put("linger.ms", "5");
    long t0 = System.nanoTime();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer());
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
            new ByteArraySerializer())) {
      List<TopicPartition> tps = List.of(new TopicPartition(in, 0), new TopicPartition(in, 1));
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      int seen = 0;
      while (seen < n) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          producer.send(new ProducerRecord<>(out, r.value()));
          seen++;
        }
      }
      producer.flush();
    }
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  static double pipeline(String b, String in, int n, Guarantee g, int intervalMs) throws Exception {
    String out = TestKafka.topic(b, "bench-out", 2);
    Path ckpt = Files.createTempDirectory("kbench-ckpt");
    Pipeline p = Onceflow.pipeline("bench-" + g + "-" + intervalMs).guarantee(g).parallelism(2)
        .checkpointInterval(Duration.ofMillis(intervalMs)).checkpointDir(ckpt);
    p.source(KafkaSource.<byte[]>builder().bootstrapServers(b).topics(in).bounded().decoder(x -> x).build())
        .map(x -> x)
        .sinkTo(KafkaSink.<byte[]>builder().bootstrapServers(b).topic(out).valueEncoder(x -> x).guarantee(g)
            .property("linger.ms", "5").build());
    long t0 = System.nanoTime();
    p.start().join();
    double rate = n / ((System.nanoTime() - t0) / 1e9);
    if (TestKafka.readCommitted(b, out).size() != n) {
      throw new AssertionError("output incomplete");
    }
    return rate;
  }
}
