package dev.onceflow.log;

import static dev.onceflow.log.TestSupport.b;
import static dev.onceflow.log.TestSupport.readAll;
import static dev.onceflow.log.TestSupport.rec;
import static dev.onceflow.log.TestSupport.recs;
import static dev.onceflow.log.TestSupport.s;
import static dev.onceflow.log.TestSupport.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTest {
  @TempDir Path dir;

  @Test
  void appendedRecordsAreReadBackWithKeysHeadersAndOffsets() {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(2));
      try (Producer p = log.producer()) {
        Headers h = Headers.of(new Header("h1", b("v1")), new Header("h2", null));
        assertEquals(0, p.send(tp, new ProducerRecord(b("k"), b("v"), 42, h)));
        assertEquals(1, p.sendBatch(tp, recs("x", 3)));
        assertEquals(4, p.send(tp, new ProducerRecord(null, null, 43, null)));
      }
      List<LogRecord> all = readAll(log, Isolation.READ_UNCOMMITTED, tp);
      assertEquals(5, all.size());
      LogRecord first = all.get(0);
      assertEquals("k", s(first.key()));
      assertEquals("v", s(first.value()));
      assertEquals(42, first.timestamp());
      assertArrayEquals(b("v1"), first.headers().lastValue("h1"));
      assertNull(first.headers().lastValue("h2"));
      assertEquals(2, first.headers().size());
      assertEquals(List.of("x0", "x1", "x2"), values(all.subList(1, 4)));
      assertNull(all.get(4).key());
      assertNull(all.get(4).value());
      for (int i = 0; i < 5; i++) {
        assertEquals(i, all.get(i).offset());
      }
      assertEquals(5, log.endOffset(tp));
      assertEquals(5, log.lastStableOffset(tp));
      assertEquals(0, log.endOffset(new TopicPartition("t", 1)));
    }
  }

  @Test
  void dataSurvivesReopenAndNewAppendsContinueTheOffsets() {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      log.producer().sendBatch(tp, recs("a", 10));
    }
    try (Log log = Log.open(dir)) {
      assertTrue(log.topicExists("t"));
      assertEquals(Set.of("t"), log.topics());
      assertEquals(10, log.endOffset(tp));
      assertEquals(10, log.producer().send(tp, rec("b")));
      assertEquals(11, readAll(log, Isolation.READ_COMMITTED, tp).size());
    }
  }

  @Test
  void manySegmentsAreRolledAndReadAcross() {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir, LogConfig.builder().fsyncPolicy(FsyncPolicy.OS).build())) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(4096).build());
      Producer p = log.producer();
      for (int i = 0; i < 500; i++) {
        p.send(tp, rec("value-" + i));
      }
      assertTrue(log.stats().partitions().get(0).segmentCount() > 5);
      List<LogRecord> all = readAll(log, Isolation.READ_UNCOMMITTED, tp);
      assertEquals(500, all.size());
      assertEquals("value-499", s(all.get(499).value()));
    }
    try (Log log = Log.open(dir)) {
      assertEquals(500, readAll(log, Isolation.READ_UNCOMMITTED, tp).size());
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
        c.assign(List.of(tp));
        c.seek(tp, 321);
        assertEquals(321, c.poll(1).get(0).offset());
        assertEquals(322, c.position(tp));
      }
    }
  }

  @Test
  void createTopicIsIdempotentButRejectsADifferentPartitionCount() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(3));
      log.createTopic("t", TopicConfig.partitions(3));
      assertEquals(3, log.partitions("t"));
      assertThrows(IllegalArgumentException.class, () -> log.createTopic("t", TopicConfig.partitions(4)));
      assertThrows(IllegalArgumentException.class, () -> log.createTopic("bad/name", TopicConfig.partitions(1)));
      assertThrows(UnknownTopicException.class, () -> log.partitions("nope"));
      assertThrows(UnknownTopicException.class,
          () -> log.producer().send(new TopicPartition("t", 3), rec("x")));
    }
  }

  @Test
  void secondOpenInTheSameJvmFailsNamingThePid() {
    try (Log log = Log.open(dir)) {
      assertTrue(log.topics().isEmpty());
      LogLockedException e = assertThrows(LogLockedException.class, () -> Log.open(dir));
      assertEquals(ProcessHandle.current().pid(), e.holderPid());
      assertTrue(e.getMessage().contains(Long.toString(ProcessHandle.current().pid())), e.getMessage());
    }
    Log.open(dir).close(); // released on close
  }

  @Test
  void consumerGroupOffsetsAreDurableAndUsedOnAssign() {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      log.producer().sendBatch(tp, recs("a", 10));
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("g"))) {
        c.assign(List.of(tp));
        assertEquals(4, c.poll(4).size());
        c.commitSync(Map.of(tp, c.position(tp)));
      }
      assertThrows(IllegalStateException.class,
          () -> log.consumer(ConsumerConfig.readCommitted()).commitSync(Map.of(tp, 1L)));
    }
    try (Log log = Log.open(dir)) {
      assertEquals(4, log.committedOffset("g", tp).getAsLong());
      assertTrue(log.committedOffset("other", tp).isEmpty());
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("g"))) {
        c.assign(List.of(tp));
        assertEquals(4, c.position(tp));
        assertEquals("a4", s(c.poll(1).get(0).value()));
      }
    }
  }

  @Test
  void seekToTimestampFindsTheFirstRecordAtOrAfterIt() {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(2048).build());
      Producer p = log.producer();
      for (int i = 0; i < 200; i++) {
        p.send(tp, new ProducerRecord(null, b("v" + i), 10_000L + i * 10, null));
      }
      try (Consumer c = log.consumer(ConsumerConfig.readUncommitted())) {
        c.assign(List.of(tp));
        c.seekToTimestamp(tp, 10_000L + 1234);
        assertEquals(124, c.position(tp));
        c.seekToTimestamp(tp, 0);
        assertEquals(0, c.position(tp));
        c.seekToTimestamp(tp, 99_999_999);
        assertEquals(200, c.position(tp));
        assertTrue(c.atEnd(tp));
        c.seekToBeginning(tp);
        assertFalse(c.atEnd(tp));
      }
    }
  }

  @Test
  void pollWithTimeoutWakesWhenDataArrives() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
        c.assign(List.of(tp));
        assertTrue(c.poll(10).isEmpty());
        CountDownLatch polling = new CountDownLatch(1);
        Thread producer = new Thread(() -> {
          try {
            polling.await();
          } catch (InterruptedException e) {
            throw new AssertionError(e);
          }
          log.producer().send(tp, rec("late"));
        });
        producer.start();
        polling.countDown();
        List<LogRecord> got = c.poll(10, Duration.ofSeconds(30));
        producer.join();
        if (got.isEmpty()) {
          got = c.poll(10);
        }
        assertEquals(List.of("late"), values(got));
      }
    }
  }

  @Test
  void batchesLargerThanTheReadAndScanBuffersAreReadAndRecovered() {
    TopicPartition tp = new TopicPartition("t", 0);
    List<ProducerRecord> big = new java.util.ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      byte[] v = new byte[1024];
      v[0] = (byte) i;
      big.add(new ProducerRecord(null, v, i, null));
    }
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      Producer p = log.producer();
      p.send(tp, rec("small"));
      assertEquals(1, p.sendBatch(tp, big)); // about 1.5 MiB in one batch
      p.send(tp, rec("after"));
      List<LogRecord> all = readAll(log, Isolation.READ_COMMITTED, tp);
      assertEquals(1502, all.size());
      assertEquals((byte) 1499, all.get(1500).value()[0]);
    }
    try (Log log = Log.open(dir)) {
      List<LogRecord> all = readAll(log, Isolation.READ_COMMITTED, tp);
      assertEquals(1502, all.size());
      assertEquals("after", s(all.get(1501).value()));
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
        c.assign(List.of(tp));
        c.seek(tp, 700); // inside the big batch
        assertEquals(700, c.poll(1).get(0).offset());
      }
    }
  }
}
