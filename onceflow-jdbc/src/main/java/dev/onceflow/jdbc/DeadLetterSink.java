package dev.onceflow.jdbc;

import dev.onceflow.log.Log;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Where a JDBC sink sends the rows the database refuses. Called from the writing thread before the write that met
 * the rows returns (so before the checkpoint that covers them completes): a destination that returns has kept the
 * rows. Dead letters are at-least-once: a replay after a failure may send a refused row again.
 */
@FunctionalInterface
public interface DeadLetterSink {
  /** Keeps {@code rows}; throwing fails the write (and so the attempt). */
  void accept(List<RejectedRow> rows) throws Exception;

  /** The default: a refused row fails the job with {@link RowRejectedException}, so nothing is dropped silently. */
  static DeadLetterSink failing() {
    return rows -> {
      throw new RowRejectedException(rows.get(0));
    };
  }

  /**
   * Appends each refused row as one JSON line to partition 0 of {@code topic} of the embedded log (idempotent
   * producer), so {@code onceflow log dump} shows them. The topic must exist.
   */
  static DeadLetterSink toLog(Log log, String topic) {
    Objects.requireNonNull(log, "log");
    Objects.requireNonNull(topic, "topic");
    if (!log.topicExists(topic)) {
      throw new IllegalArgumentException("dead-letter topic '" + topic + "' does not exist; create it first");
    }
    Producer producer = log.idempotentProducer();
    TopicPartition tp = new TopicPartition(topic, 0);
    return rows -> {
      List<ProducerRecord> records = new ArrayList<>(rows.size());
      for (RejectedRow r : rows) {
        records.add(ProducerRecord.of(DeadLetterJson.of(r).getBytes(StandardCharsets.UTF_8)));
      }
      producer.sendBatch(tp, records);
    };
  }

  /** Keeps the rows in {@code into} (synchronised): for tests and small tools. */
  static DeadLetterSink collectingInto(List<RejectedRow> into) {
    List<RejectedRow> target = Collections.synchronizedList(Objects.requireNonNull(into, "into"));
    return target::addAll;
  }
}
