package dev.onceflow.verify.kafka;

import dev.onceflow.verify.Job;
import dev.onceflow.verify.JobRunSpec;
import dev.onceflow.verify.OutputRecord;
import dev.onceflow.verify.OutputStore;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * The output topic {@code <prefix>.<job>-output}, read the way a downstream reader would: {@code read_committed}, from
 * the beginning up to the end offsets (the last stable offsets), per partition in offset order. Clicks' records are
 * keyed; the {@code Checker} reads them as a table (last value per key).
 */
final class KafkaOutputStore implements OutputStore {
  /** Transactions whose output is hidden from read_committed readers: begun and not ended, or ending. */
  private static final Set<TransactionState> UNDECIDED =
      EnumSet.of(TransactionState.ONGOING, TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);
  private static final Set<TransactionState> ENDING =
      EnumSet.of(TransactionState.PREPARE_COMMIT, TransactionState.PREPARE_ABORT);
  private static final Duration DEADLINE = Duration.ofSeconds(120);

  private final KafkaCluster cluster;
  private final String output;

  KafkaOutputStore(KafkaCluster cluster, String output) {
    this.cluster = cluster;
    this.output = output;
  }

  @Override
  public void create(Job job, int partitions) {
    try (Admin admin = cluster.admin()) {
      KafkaTopics.create(admin, topic(job), partitions);
    }
  }

  private String topic(Job job) {
    return KafkaIo.topic(cluster.prefix(), JobRunSpec.outputTopic(job, output));
  }

  @Override
  public Map<String, String> childSettings() {
    return cluster.childSettings();
  }

  @Override
  public List<OutputRecord> readCommitted(Job job) {
    awaitNoEndingTransactions();
    String topic = topic(job);
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "5000");
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : consumer.partitionsFor(topic, DEADLINE)) {
        tps.add(new TopicPartition(topic, pi.partition()));
      }
      tps.sort(java.util.Comparator.comparingInt(TopicPartition::partition));
      List<OutputRecord> out = new ArrayList<>();
      // partition by partition, so the list is per partition in offset order, as the checker expects
      for (TopicPartition tp : tps) {
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        long end = consumer.endOffsets(List.of(tp), DEADLINE).get(tp); // read_committed: the last stable offset
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (consumer.position(tp, DEADLINE) < end) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("reading " + tp + " up to offset " + end + " took over " + DEADLINE);
          }
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.offset() < end) {
              out.add(new OutputRecord(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
                  new String(r.value(), StandardCharsets.UTF_8)));
            }
          }
        }
      }
      return out;
    }
  }

  /**
   * A commit returns to the producer before the broker has written the commit markers into every partition: until
   * then the last stable offset stays before the transaction. Waits (bounded) until no transaction of this
   * verification is ending, so the read sees every committed one.
   */
  private void awaitNoEndingTransactions() {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!transactions(ENDING).isEmpty()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("transactions " + transactions(ENDING) + " still ending after " + DEADLINE);
      }
      try {
        Thread.sleep(100); // the broker's transaction state: nothing to wait on but a new listing
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted", e);
      }
    }
  }

  private List<String> transactions(Set<TransactionState> states) {
    try (Admin admin = cluster.admin()) {
      List<String> ids = new ArrayList<>();
      for (TransactionListing l : admin.listTransactions().all().get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        if (l.transactionalId().startsWith(cluster.prefix() + ".") && states.contains(l.state())) {
          ids.add(l.transactionalId() + " " + l.state());
        }
      }
      return ids;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while listing Kafka transactions", e);
    } catch (Exception e) {
      throw new IllegalStateException("cannot list the Kafka transactions of prefix " + cluster.prefix() + ": " + e,
          e);
    }
  }

  /** Open or ending transactions of the verification's transactional ids (Admin {@code listTransactions}). */
  @Override
  public int lingeringTransactions() {
    List<String> open = transactions(UNDECIDED);
    if (!open.isEmpty()) {
      org.slf4j.LoggerFactory.getLogger(KafkaOutputStore.class).warn("lingering Kafka transactions: {}", open);
    }
    return open.size();
  }

  @Override
  public void close() {
    cluster.release();
  }
}
