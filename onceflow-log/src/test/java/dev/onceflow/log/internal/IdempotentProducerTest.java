package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.Headers;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.OutOfOrderSequenceException;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdempotentProducerTest {
  @TempDir Path dir;
  final TopicPartition tp = new TopicPartition("t", 0);

  static List<ProducerRecord> batch(String prefix, int n) {
    List<ProducerRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new ProducerRecord(null, (prefix + i).getBytes(StandardCharsets.UTF_8), 1, Headers.empty()));
    }
    return out;
  }

  static int count(Log log, TopicPartition tp) {
    try (Consumer c = log.consumer(ConsumerConfig.readUncommitted())) {
      c.assign(List.of(tp));
      int n = 0;
      for (List<LogRecord> got = c.poll(1000); !got.isEmpty(); got = c.poll(1000)) {
        n += got.size();
      }
      return n;
    }
  }

  @Test
  void aRetriedBatchIsAcknowledgedWithItsOriginalOffsetAndNotAppended() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      ProducerImpl p = (ProducerImpl) log.idempotentProducer();
      long[] bases = new long[7];
      int[] seqs = new int[7];
      for (int i = 0; i < 7; i++) {
        seqs[i] = p.nextSequence(tp);
        bases[i] = p.sendBatch(tp, batch("b" + i + "-", 2));
      }
      assertEquals(14, count(log, tp));
      // the last 5 batches are remembered
      for (int i = 2; i < 7; i++) {
        assertEquals(bases[i], p.sendWithSequence(tp, batch("b" + i + "-", 2), seqs[i]));
      }
      assertEquals(14, count(log, tp));
      // older than the window: cannot be told from a reordering, rejected
      assertThrows(OutOfOrderSequenceException.class, () -> p.sendWithSequence(tp, batch("b0-", 2), seqs[0]));
      // a gap
      assertThrows(OutOfOrderSequenceException.class, () -> p.sendWithSequence(tp, batch("gap", 1), 15));
      assertEquals(14, count(log, tp));
      assertEquals(14, p.sendWithSequence(tp, batch("next", 1), 14));
    }
  }

  @Test
  void producerStateSurvivesReopen() {
    long pid;
    long base;
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      ProducerImpl p = (ProducerImpl) log.idempotentProducer();
      pid = p.producerId();
      p.sendBatch(tp, batch("a", 3));
      base = p.sendBatch(tp, batch("b", 3));
    }
    try (Log log = Log.open(dir)) {
      ProducerImpl again = new ProducerImpl((LogImpl) log, pid);
      assertEquals(base, again.sendWithSequence(tp, batch("b", 3), 3));
      assertThrows(OutOfOrderSequenceException.class, () -> again.sendWithSequence(tp, batch("c", 1), 7));
      assertEquals(6, count(log, tp));
      // producer ids are never reused after a restart
      assertEquals(pid + 1, log.idempotentProducer().producerId());
    }
  }
}
