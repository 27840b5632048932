package dev.onceflow.kafka.internal;

import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Header;
import dev.onceflow.log.Headers;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * A Kafka source's dead-letter output on the embedded log: undecodable records go to a log topic of one partition,
 * with headers {@code error} and {@code source=topic-partition@offset} (as on the Kafka dead-letter topic), each once
 * across replays. A Kafka partition is read by one subtask at a time, in offset order, and each dead letter is durable
 * (the log's fsync policy) before the next record is read, so the highest source offset already in the topic for a
 * partition says which of its bad records a replay must skip.
 */
final class LogDeadLetters {
  private final Log log;
  private final String topic;
  private final Producer producer;
  private final Map<TopicPartition, Long> written;

  /** Opens (creating the topic if missing) for a reader of {@code mine}, reading what earlier attempts wrote. */
  LogDeadLetters(Log log, String topic, Set<TopicPartition> mine) {
    this.log = log;
    this.topic = topic;
    log.createTopic(topic, dev.onceflow.log.TopicConfig.partitions(1));
    this.producer = log.idempotentProducer();
    this.written = writtenBefore(mine);
  }

  /** Writes {@code r} with its error unless an earlier attempt did; returns whether it wrote it now. */
  boolean write(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, Exception error) {
    Long last = written.get(tp);
    if (last != null && r.offset() <= last) {
      return false; // dead-lettered before a restart: the replay must not repeat it
    }
    Headers headers = Headers.of(
        new Header("error", String.valueOf(error).getBytes(StandardCharsets.UTF_8)),
        new Header("source", source(tp, r.offset()).getBytes(StandardCharsets.UTF_8)));
    producer.send(new dev.onceflow.log.TopicPartition(topic, 0),
        new ProducerRecord(r.key(), r.value(), r.timestamp(), headers));
    written.put(tp, r.offset());
    return true;
  }

  static String source(TopicPartition tp, long offset) {
    return tp.topic() + "-" + tp.partition() + "@" + offset;
  }

  private Map<TopicPartition, Long> writtenBefore(Set<TopicPartition> mine) {
    Map<TopicPartition, Long> last = new HashMap<>();
    dev.onceflow.log.TopicPartition tp = new dev.onceflow.log.TopicPartition(topic, 0);
    try (dev.onceflow.log.Consumer c = log.consumer(ConsumerConfig.readUncommitted())) {
      c.assign(List.of(tp));
      c.seekToBeginning(tp);
      long end = log.endOffset(tp);
      while (c.position(tp) < end) {
        for (LogRecord d : c.poll(10_000, Duration.ofMillis(1))) {
          byte[] h = d.headers().lastValue("source");
          TopicPartition from = h == null ? null : parse(new String(h, StandardCharsets.UTF_8));
          if (from != null && mine.contains(from)) {
            String s = new String(h, StandardCharsets.UTF_8);
            last.merge(from, Long.parseLong(s.substring(s.lastIndexOf('@') + 1)), Math::max);
          }
        }
      }
    }
    return last;
  }

  /** The partition of a {@code source} header, or null if it is not one this class writes. */
  private static TopicPartition parse(String s) {
    int at = s.lastIndexOf('@');
    int dash = at < 0 ? -1 : s.lastIndexOf('-', at);
    if (dash <= 0) {
      return null;
    }
    try {
      Long.parseLong(s.substring(at + 1));
      return new TopicPartition(s.substring(0, dash), Integer.parseInt(s.substring(dash + 1, at)));
    } catch (NumberFormatException notOurs) {
      return null;
    }
  }

  void close() {
    producer.close();
  }
}
