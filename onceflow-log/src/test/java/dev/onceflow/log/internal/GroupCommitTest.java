package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.Isolation;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {
  @TempDir Path dir;

  @Test
  void concurrentAppendersAreAllAcknowledgedDurablyWithDistinctOffsets() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    int threads = 8;
    int perThread = 150;
    Map<String, Long> acked = new ConcurrentHashMap<>();
    long forces;
    try (Log log = Log.open(dir)) { // EVERY_APPEND
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(16 * 1024).build());
      Producer shared = log.idempotentProducer();
      CyclicBarrier start = new CyclicBarrier(threads);
      Thread[] ts = new Thread[threads];
      for (int t = 0; t < threads; t++) {
        int id = t;
        ts[t] = new Thread(() -> {
          try {
            start.await();
            Producer own = id % 2 == 0 ? shared : log.producer();
            for (int i = 0; i < perThread; i++) {
              String v = id + "-" + i;
              long off = own.send(tp, dev.onceflow.log.ProducerRecord.of(v.getBytes(StandardCharsets.UTF_8)));
              // acknowledged means forced: the high watermark already covers it
              assertTrue(log.endOffset(tp) > off);
              acked.put(v, off);
            }
          } catch (Exception e) {
            throw new AssertionError(e);
          }
        });
        ts[t].start();
      }
      for (Thread t : ts) {
        t.join();
      }
      forces = ((LogImpl) log).partition(tp).forceCount();
    }
    assertEquals(threads * perThread, acked.size());
    assertEquals(threads * perThread, new java.util.HashSet<>(acked.values()).size(), "offsets are distinct");
    try (Log log = Log.open(dir)) {
      Map<Long, String> byOffset = new HashMap<>();
      List<LogRecord> all = dev.onceflow.log.TestSupport.readAll(log, Isolation.READ_COMMITTED, tp);
      for (LogRecord r : all) {
        byOffset.put(r.offset(), new String(r.value(), StandardCharsets.UTF_8));
      }
      assertEquals(threads * perThread, all.size());
      acked.forEach((v, off) -> assertEquals(v, byOffset.get(off)));
    }
    // group commit: never more forces than appends (usually far fewer; printed, not asserted, as it depends on timing)
    assertTrue(forces <= threads * perThread, "forces " + forces);
    System.out.printf("group commit: %d appends, %d forces%n", threads * perThread, forces);
  }
}
