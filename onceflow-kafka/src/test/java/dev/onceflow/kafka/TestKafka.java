package dev.onceflow.kafka;

import dev.onceflow.kafka.broker.LocalKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The broker the module's tests share: one real broker per test JVM (started on first use, stopped at exit), so the
 * start cost is paid once. Tests that kill a broker start their own {@link LocalKafkaBroker}. Topic names are unique
 * per call of {@link #topic}.
 */
final class TestKafka {
  private static LocalKafkaBroker shared;
  private static final AtomicInteger TOPICS = new AtomicInteger();

  private TestKafka() {}

  static synchronized LocalKafkaBroker broker() throws Exception {
    if (shared == null) {
      Path dir = Files.createTempDirectory("onceflow-kafka-test-");
      LocalKafkaBroker b = LocalKafkaBroker.create(dir, System.getProperty("java.class.path"), 0,
          Map.of("transaction.abort.timed.out.transaction.cleanup.interval.ms", "500"));
      b.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          b.kill();
        } catch (InterruptedException ignored) {
          Thread.currentThread().interrupt();
        }
      }));
      shared = b;
    }
    return shared;
  }

  static String bootstrap() throws Exception {
    return broker().bootstrapServers();
  }

  /** Creates a new topic named after {@code prefix} with {@code partitions} partitions. */
  static String topic(String prefix, int partitions) throws Exception {
    return topic(bootstrap(), prefix, partitions);
  }

  static String topic(String bootstrap, String prefix, int partitions) throws Exception {
    String name = prefix + "-" + TOPICS.incrementAndGet() + "-" + System.nanoTime() % 100000;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(60, TimeUnit.SECONDS);
      // created is not yet served: wait until every partition has a leader the clients can see
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          var d = admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name);
          if (d.partitions().size() == partitions && d.partitions().stream().allMatch(p -> p.leader() != null)) {
            break;
          }
        } catch (java.util.concurrent.ExecutionException notYet) {
          // unknown topic for a moment
        }
        if (System.nanoTime() > deadline) {
          throw new AssertionError("topic " + name + " has no leader for all partitions after 60 s");
        }
        Thread.onSpinWait();
      }
    }
    return name;
  }

  /** Produces {@code values} round-robin over the partitions of {@code topic}, acknowledged. */
  static void produce(String bootstrap, String topic, List<String> values) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "5");
    // a first append on a loaded 2-core machine can take over the 30 s default: a client-side timeout then makes the
    // idempotent producer resend a batch the broker already has, which it refuses as out of order until delivery
    // times out (seen once per few runs). Long timeouts avoid the resend.
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "120000");
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "300000");
    // Not idempotent, one request in flight: on a just-created topic the first produce can get NOT_LEADER_OR_FOLLOWER,
    // after which the idempotent producer's in-flight batches were refused as OUT_OF_ORDER_SEQUENCE_NUMBER until the
    // delivery timeout (seen in a clean-clone run). One in flight keeps the order; a refused batch was not appended.
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(),
        new StringSerializer())) {
      int partitions = producer.partitionsFor(topic).size();
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (int i = 0; i < values.size(); i++) {
        acks.add(producer.send(new ProducerRecord<>(topic, i % partitions, null, values.get(i))));
      }
      for (var a : acks) {
        a.get(300, TimeUnit.SECONDS); // a lost test input fails here, not as a wrong result later
      }
    }
  }

  static void produce(String topic, List<String> values) throws Exception {
    produce(bootstrap(), topic, values);
  }

  /** Every committed value of {@code topic} (read_committed, up to the last stable offsets), partition by partition. */
  static List<String> readCommitted(String bootstrap, String topic) {
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
        new StringDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : consumer.partitionsFor(topic)) {
        tps.add(new TopicPartition(topic, pi.partition()));
      }
      consumer.assign(tps);
      consumer.seekToBeginning(tps);
      Map<TopicPartition, Long> end = consumer.endOffsets(tps);
      List<String> out = new ArrayList<>();
      long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
      while (tps.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("reading " + topic + " took over 60 s");
        }
        for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) {
          out.add(r.value());
        }
      }
      return out;
    }
  }

  /**
   * The committed values once at least {@code n} are visible: a commit returns before the broker has written the
   * commit markers into every partition, so visibility lags it briefly. Fails after 60 s.
   */
  static List<String> awaitCommitted(String bootstrap, String topic, int n) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      List<String> out = readCommitted(bootstrap, topic);
      if (out.size() >= n) {
        return out;
      }
      if (System.nanoTime() > deadline) {
        throw new AssertionError("only " + out.size() + " of " + n + " records committed in " + topic + " after 60 s");
      }
    }
  }

  static List<String> awaitCommitted(String topic, int n) throws Exception {
    return awaitCommitted(bootstrap(), topic, n);
  }

  static List<String> readCommitted(String topic) throws Exception {
    return readCommitted(bootstrap(), topic);
  }
}
