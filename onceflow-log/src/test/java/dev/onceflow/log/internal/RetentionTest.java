package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {
  // The tests run retention themselves; the background pass would race them (it could delete a segment before the
  // test's group commits its hold).
  private static final LogConfig MANUAL_RETENTION =
      LogConfig.builder().maintenanceInterval(Duration.ofDays(1)).build();
  @TempDir Path dir;
  final TopicPartition tp = new TopicPartition("t", 0);

  static void fill(Log log, TopicPartition tp, int n, long timestamp) {
    Producer p = log.producer();
    for (int i = 0; i < n; i++) {
      p.send(tp, new ProducerRecord(null, new byte[100], timestamp, null));
    }
  }

  @Test
  void sizeRetentionDeletesWholeSealedSegmentsOnly() {
    try (Log log = Log.open(dir, MANUAL_RETENTION)) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(1024).retentionBytes(3000).build());
      fill(log, tp, 100, System.currentTimeMillis());
      LogImpl impl = (LogImpl) log;
      long before = log.stats().partitions().get(0).segmentCount();
      impl.enforceRetention(System.currentTimeMillis());
      var stats = log.stats().partitions().get(0);
      assertTrue(stats.segmentCount() < before);
      assertTrue(stats.segmentBytes() <= 3000 + 1024, "bytes " + stats.segmentBytes());
      long start = log.startOffset(tp);
      assertTrue(start > 0);
      assertEquals(100, log.endOffset(tp));
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
        c.assign(List.of(tp));
        c.seek(tp, 0); // clamped to the start
        List<LogRecord> got = c.poll(1000);
        assertEquals(start, got.get(0).offset());
        assertEquals(100 - start, got.size());
      }
    }
    try (Log log = Log.open(dir, MANUAL_RETENTION)) {
      assertTrue(log.startOffset(tp) > 0);
      assertEquals(100, log.endOffset(tp));
    }
  }

  @Test
  void timeRetentionDeletesOldSegmentsButNeverPastAGroupsCommittedOffset() {
    try (Log log = Log.open(dir, MANUAL_RETENTION)) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(1024).retentionMs(60_000).build());
      fill(log, tp, 100, 1_000);
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("slow"))) {
        c.commitSync(Map.of(tp, 20L));
      }
      ((LogImpl) log).enforceRetention(System.currentTimeMillis());
      long start = log.startOffset(tp);
      assertTrue(start > 0 && start <= 20, "start " + start);
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("slow"))) {
        c.commitSync(Map.of(tp, 100L));
      }
      ((LogImpl) log).enforceRetention(System.currentTimeMillis());
      assertTrue(log.startOffset(tp) > 20);
      assertTrue(log.stats().partitions().get(0).segmentCount() >= 1); // the active segment stays
    }
  }

  @Test
  void retentionMayIgnoreGroupsWhenConfigured() {
    try (Log log = Log.open(dir, MANUAL_RETENTION)) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(1024).retentionMs(60_000)
          .retentionIgnoresConsumerGroups(true).build());
      fill(log, tp, 100, 1_000);
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("slow"))) {
        c.commitSync(Map.of(tp, 5L));
      }
      ((LogImpl) log).enforceRetention(System.currentTimeMillis());
      assertTrue(log.startOffset(tp) > 5);
    }
  }

  @Test
  void retentionForcesThePartitionDirectoryAfterDeletingSegments() {
    try (Log log = Log.open(dir, MANUAL_RETENTION)) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(1024).retentionBytes(3000).build());
      fill(log, tp, 100, System.currentTimeMillis());
      LogImpl impl = (LogImpl) log;
      long forcesBefore = impl.context().directoryForces.get();
      impl.enforceRetention(System.currentTimeMillis());
      assertTrue(log.startOffset(tp) > 0, "nothing was deleted");
      assertTrue(impl.context().directoryForces.get() > forcesBefore, "deletions were not made durable");
    }
  }
}
