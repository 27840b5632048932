package dev.onceflow.verify.kafka;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/** Creates the verification's topics and waits until they are served. */
final class KafkaTopics {
  private static final long DEADLINE_S = 120;

  private KafkaTopics() {}

  /**
   * Creates {@code topic} with {@code partitions} partitions, replication 1 unless the cluster has more brokers
   * (the broker's default then), and no time or size retention: the inputs carry old event timestamps, which the
   * default 7-day retention would delete at once. An existing topic must have the same partition count.
   */
  static void create(Admin admin, String topic, int partitions) {
    try {
      int brokers = admin.describeCluster().nodes().get(DEADLINE_S, TimeUnit.SECONDS).size();
      NewTopic t = new NewTopic(topic, java.util.Optional.of(partitions),
          brokers == 1 ? java.util.Optional.of((short) 1) : java.util.Optional.empty())
          .configs(Map.of("retention.ms", "-1", "retention.bytes", "-1", "message.timestamp.type", "CreateTime"));
      try {
        admin.createTopics(List.of(t)).all().get(DEADLINE_S, TimeUnit.SECONDS);
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof TopicExistsException)) {
          throw e;
        }
      }
      awaitLeaders(admin, topic, partitions);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating Kafka topic " + topic, e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot create Kafka topic " + topic + ": " + e, e);
    }
  }

  /** A created topic is not served at once: wait until every partition has a leader. */
  private static void awaitLeaders(Admin admin, String topic, int partitions) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DEADLINE_S);
    while (true) {
      try {
        var d = admin.describeTopics(List.of(topic)).allTopicNames().get(30, TimeUnit.SECONDS).get(topic);
        if (d.partitions().size() != partitions) {
          throw new IllegalStateException("Kafka topic " + topic + " exists with " + d.partitions().size()
              + " partitions, the verification needs " + partitions + ": use another kafka.prefix");
        }
        if (d.partitions().stream().allMatch(p -> p.leader() != null)) {
          return;
        }
      } catch (ExecutionException notYet) {
        // unknown topic for a moment after its creation
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Kafka topic " + topic + " has no leader for every partition after "
            + DEADLINE_S + " s");
      }
      Thread.sleep(50); // polling the broker's metadata: there is no notification to wait on
    }
  }
}
