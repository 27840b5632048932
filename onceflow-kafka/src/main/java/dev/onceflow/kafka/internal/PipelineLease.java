package dev.onceflow.kafka.internal;

import dev.onceflow.kafka.KafkaSinkException;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Detects, at start, another running pipeline that uses the same transactional ids. The ids carry no owner, so the
 * sink holds a lease: membership of the consumer group {@code <prefix>.lease} (classic protocol, 6 s session), kept
 * by a heartbeating consumer while a writer of this process is open. A start that finds another member waits one
 * session timeout (the member of a killed process expires by then) and fails with the clash if it is still there;
 * otherwise it would silently fence the other pipeline.
 */
final class PipelineLease {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineLease.class);
  static final int SESSION_MS = 6000;

  private final String group;
  private final Thread thread;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final CountDownLatch joined = new CountDownLatch(1);

  private PipelineLease(String group, KafkaConsumer<byte[], byte[]> consumer, String topic) {
    this.group = group;
    this.consumer = consumer;
    this.thread = new Thread(() -> {
      try {
        consumer.subscribe(List.of(topic), new org.apache.kafka.clients.consumer.ConsumerRebalanceListener() {
          @Override
          public void onPartitionsRevoked(java.util.Collection<org.apache.kafka.common.TopicPartition> p) {}

          @Override
          public void onPartitionsAssigned(java.util.Collection<org.apache.kafka.common.TopicPartition> p) {
            joined.countDown();
          }
        });
        while (!Thread.currentThread().isInterrupted()) {
          consumer.poll(Duration.ofMillis(500)); // heartbeats; records are not used
        }
      } catch (WakeupException closing) {
        // released
      } catch (RuntimeException e) {
        LOG.warn("Kafka sink lease {} stopped: {}", group, e.toString());
      } finally {
        consumer.close(Duration.ZERO);
      }
    }, "onceflow-kafka-lease-" + group);
    thread.setDaemon(true);
  }

  /** Takes the lease of {@code group} or fails naming the clash. {@code topic} is any existing topic. */
  static PipelineLease acquire(SinkSettings<?> s, String group, String topic) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(SESSION_MS + 4000);
    try (Admin admin = Admin.create(s.admin())) {
      while (true) {
        ConsumerGroupDescription d;
        try {
          d = admin.describeConsumerGroups(List.of(group)).describedGroups().get(group).get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          if (!(e.getCause() instanceof GroupIdNotFoundException)) {
            throw e;
          }
          break;
        }
        if (d.members().isEmpty() || d.groupState() == GroupState.EMPTY || d.groupState() == GroupState.DEAD) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new KafkaSinkException("Kafka sink: another running pipeline uses the transactional ids of lease "
              + group + " (member " + d.members().iterator().next().host() + " "
              + d.members().iterator().next().clientId() + "). Starting would fence it. Stop it, or give this "
              + "pipeline another name or transactionalIdPrefix", null);
        }
        Thread.sleep(200); // a killed predecessor's membership expires within one session timeout
      }
    }
    Properties p = KafkaSourceReader.filter(s.producerProperties(), ConsumerConfig.configNames());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
    p.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, Integer.toString(SESSION_MS));
    p.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
    PipelineLease lease = new PipelineLease(group,
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer()), topic);
    lease.thread.start();
    if (!lease.joined.await(60, TimeUnit.SECONDS)) {
      lease.release();
      throw new KafkaSinkException("Kafka sink: could not join lease group " + group + " within 60 s", null);
    }
    LOG.info("Kafka sink holds lease {}", group);
    return lease;
  }

  /** Leaves the group at once. */
  void release() {
    consumer.wakeup();
    try {
      thread.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
