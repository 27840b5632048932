package dev.onceflow.core.connector.log;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/** Test helpers: fill a topic, read a topic read-committed. */
public final class LogTopics {
  private LogTopics() {}

  public static void fill(Log log, String topic, int partitions, long n, LongFunction<String> value) {
    log.createTopic(topic, TopicConfig.partitions(partitions));
    try (Producer p = log.producer()) {
      List<List<ProducerRecord>> batches = new ArrayList<>();
      for (int i = 0; i < partitions; i++) {
        batches.add(new ArrayList<>());
      }
      for (long i = 0; i < n; i++) {
        int part = (int) (i % partitions);
        batches.get(part).add(new ProducerRecord(null, value.apply(i).getBytes(StandardCharsets.UTF_8), i, null));
        if (batches.get(part).size() == 1000) {
          p.sendBatch(new TopicPartition(topic, part), batches.get(part));
          batches.set(part, new ArrayList<>());
        }
      }
      for (int i = 0; i < partitions; i++) {
        if (!batches.get(i).isEmpty()) {
          p.sendBatch(new TopicPartition(topic, i), batches.get(i));
        }
      }
    }
  }

  public static List<LogRecord> readCommitted(Log log, String topic) {
    List<LogRecord> out = new ArrayList<>();
    try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < log.partitions(topic); i++) {
        tps.add(new TopicPartition(topic, i));
      }
      c.assign(tps);
      for (TopicPartition tp : tps) {
        c.seekToBeginning(tp);
      }
      while (true) {
        List<LogRecord> batch = c.poll(10_000, Duration.ofMillis(1));
        out.addAll(batch);
        if (batch.isEmpty() && tps.stream().allMatch(tp -> c.position(tp) >= log.lastStableOffset(tp))) {
          return out;
        }
      }
    }
  }

  public static List<String> values(List<LogRecord> records) {
    List<String> out = new ArrayList<>(records.size());
    for (LogRecord r : records) {
      out.add(new String(r.value(), StandardCharsets.UTF_8));
    }
    return out;
  }
}
