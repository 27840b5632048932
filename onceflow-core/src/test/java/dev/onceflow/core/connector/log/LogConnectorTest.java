package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.FailingTwoPhaseCommitSink;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionalProducer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogConnectorTest {
  @TempDir Path tmp;

  @Test
  void logToLogExactlyOnceWithFailuresInSourceAndCommit() throws Exception {
    long n = 100_000;
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "posts", 3, n, Long::toString);
      log.createTopic("counts", TopicConfig.partitions(2));
      CheckpointCounter checkpoints = new CheckpointCounter();
      Fault sourceFault = new Fault(n / 3, n, 1, checkpoints::completed, 1);
      Fault commitFault = new Fault(4, 1_000_000, 1, checkpoints::completed, 1);
      JobHandle job = Onceflow.pipeline("l2l")
          .guarantee(Guarantee.EXACTLY_ONCE)
          .parallelism(2)
          .checkpointInterval(Duration.ofMillis(20))
          .checkpointDir(tmp.resolve("ckpt"))
          .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
          .listener(checkpoints)
          .source(new FailingSource<>(new GatedSource<>(LogSource.of(log, "posts", b -> Long.parseLong(
              new String(b, StandardCharsets.UTF_8))).bounded(), n / 2, checkpoints::completed, 3), sourceFault))
          .keyBy(i -> i % 17)
          .process(new CountPerKey())
          .sinkTo(new FailingTwoPhaseCommitSink<>(LogSink.transactional(log, "counts", Encoder.<String>utf8String()),
              Fault.never(), Fault.never(), commitFault))
          .start();
      job.join();
      assertEquals(1, sourceFault.fired());
      assertEquals(1, commitFault.fired());
      // both faults may hit the same attempt (first cause wins), so one or two restarts
      assertTrue(job.metrics().restarts() >= 1 && job.metrics().restarts() <= 2, "restarts");
      Expectations.assertExactlyOnce(LogTopics.values(LogTopics.readCommitted(log, "counts")), n, i -> i % 17);
      assertTrue(log.preparedTransactions("l2l").isEmpty(), "no prepared transaction left behind");
    }
  }

  @Test
  void boundedSourceStopsAtTheOffsetsSeenAtStartAndUndecodableRecordsGoToTheDeadLetterTopic() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "in", 2, 1000, i -> i % 100 == 7 ? "garbage-" + i : Long.toString(i));
      CollectingSink<Long> sink = new CollectingSink<>();
      JobHandle job = Onceflow.pipeline("dlq")
          .guarantee(Guarantee.AT_LEAST_ONCE)
          .parallelism(3)
          .source(LogSource.of(log, "in", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded())
          .sinkTo(sink)
          .start();
      job.join();
      assertEquals(990, sink.values().size());
      assertEquals(10, job.metrics().decodeFailures());
      List<LogRecord> dlq = LogTopics.readCommitted(log, "in.dlq");
      assertEquals(10, dlq.size());
      String error = new String(dlq.get(0).headers().lastValue("error"), StandardCharsets.UTF_8);
      assertTrue(error.contains("NumberFormatException"), error);
    }
  }

  @Test
  void aReplayDoesNotDeadLetterABadRecordAgain() throws Exception {
    long n = 100_000;
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "in", 2, n, i -> i % 100 == 7 ? "garbage-" + i : Long.toString(i));
      CheckpointCounter checkpoints = new CheckpointCounter();
      Fault fault = new Fault(n / 3, n / 4, 2, checkpoints::completed, 1);
      JobHandle job = Onceflow.pipeline("dlq-replay")
          .guarantee(Guarantee.AT_LEAST_ONCE)
          .parallelism(2)
          .batchSize(64)
          .checkpointInterval(Duration.ofMillis(10))
          .checkpointDir(tmp.resolve("ckpt"))
          .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
          .listener(checkpoints)
          .source(new FailingSource<>(new GatedSource<>(LogSource.of(log, "in", b -> Long.parseLong(
              new String(b, StandardCharsets.UTF_8))).bounded(), n / 2, checkpoints::completed, 3), fault))
          .sinkTo(new CollectingSink<Long>())
          .start();
      job.join();
      assertEquals(2, fault.fired());
      assertTrue(job.metrics().decodeFailures() > n / 100,
          "the restarts replayed bad records (" + job.metrics().decodeFailures() + " decode failures)");
      Map<String, Integer> perSource = new HashMap<>();
      for (LogRecord r : LogTopics.readCommitted(log, "in.dlq")) {
        perSource.merge(new String(r.headers().lastValue("source"), StandardCharsets.UTF_8), 1, Integer::sum);
      }
      assertEquals(n / 100, perSource.size());
      perSource.forEach((source, count) -> assertEquals(1, count, source + " dead-lettered " + count + " times"));
    }
  }

  @Test
  void upsertSinkIsAcceptedUnderExactlyOnceAndReadsAsATable() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "in", 2, 5000, Long::toString);
      log.createTopic("table", TopicConfig.partitions(2));
      Onceflow.pipeline("upsert")
          .guarantee(Guarantee.EXACTLY_ONCE)
          .parallelism(2)
          .source(LogSource.of(log, "in", Decoder.utf8String()).bounded())
          .map(Long::parseLong)
          .keyBy(i -> i % 10)
          .process(new CountPerKey())
          .sinkTo(LogSink.upsert(log, "table", (String s) -> s.split(",")[1].getBytes(StandardCharsets.UTF_8),
              Encoder.<String>utf8String()))
          .execute();
      Map<String, Long> table = new HashMap<>();
      for (LogRecord r : LogTopics.readCommitted(log, "table")) {
        String[] f = new String(r.value(), StandardCharsets.UTF_8).split(",");
        table.merge(new String(r.key(), StandardCharsets.UTF_8), Long.parseLong(f[2]), Math::max);
      }
      assertEquals(10, table.size());
      table.values().forEach(v -> assertEquals(500L, v));
      // replacement semantics: an at-least-once pipeline writing it must take aligned snapshots (AlignedAtLeastOnceTest
      // shows the overcount an unaligned one replaces a right value with); a plain append sink need not
      assertTrue(LogSink.upsert(log, "table", (String s) -> new byte[0], Encoder.<String>utf8String())
          .needsAlignedSnapshots());
      assertFalse(LogSink.plain(log, "table", Encoder.<String>utf8String()).needsAlignedSnapshots());
    }
  }

  @Test
  void aLingeringPreparedTransactionOfTheSinkIsAbortedOnStart() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "in", 1, 100, Long::toString);
      log.createTopic("out", TopicConfig.partitions(1));
      try (TransactionalProducer zombie = log.transactionalProducer("linger-log-out-0")) {
        zombie.initTransactions();
        zombie.beginTransaction();
        zombie.send(new TopicPartition("out", 0), ProducerRecord.of("zombie".getBytes(StandardCharsets.UTF_8)));
        zombie.prepare();
      }
      assertEquals(1, log.preparedTransactions("linger-log-out-0").size());
      Onceflow.pipeline("linger")
          .source(LogSource.of(log, "in", Decoder.utf8String()).bounded())
          .sinkTo(LogSink.transactional(log, "out", Encoder.<String>utf8String()))
          .execute();
      assertTrue(log.preparedTransactions("linger").isEmpty());
      List<String> out = LogTopics.values(LogTopics.readCommitted(log, "out"));
      assertEquals(100, out.size());
      assertTrue(!out.contains("zombie"));
    }
  }

  @Test
  void aPartitionBehindTheOthersHoldsBackTheWatermarkSoNothingIsLate() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      log.createTopic("ts", TopicConfig.partitions(2));
      try (dev.onceflow.log.Producer p = log.producer()) {
        for (int part = 0; part < 2; part++) {
          java.util.List<ProducerRecord> batch = new java.util.ArrayList<>();
          for (long i = 0; i < 20_000; i++) {
            batch.add(new ProducerRecord(null, Long.toString(i).getBytes(StandardCharsets.UTF_8), i * 10, null));
          }
          p.sendBatch(new TopicPartition("ts", part), batch);
        }
      }
      java.util.concurrent.atomic.AtomicLong late = new java.util.concurrent.atomic.AtomicLong();
      CollectingSink<dev.onceflow.core.window.WindowResult<Long, Long>> sink = new CollectingSink<>();
      Onceflow.pipeline("wm").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(1).watermarkInterval(Duration.ZERO)
          .source(LogSource.of(log, "ts", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded(),
              dev.onceflow.core.WatermarkStrategy.monotonous())
          .keyBy(i -> 0L)
          .window(dev.onceflow.core.window.WindowAssigner.tumbling(Duration.ofSeconds(1)))
          .sideOutputLateData(x -> late.incrementAndGet())
          .count()
          .sinkTo(sink)
          .execute();
      assertEquals(0, late.get(), "late records");
      long total = sink.values().stream().mapToLong(r -> r.value()).sum();
      assertEquals(40_000, total);
    }
  }

  @Test
  void aSubtaskWithoutPartitionsIsIdleSoWindowsOfAnUnboundedJobFire() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      log.createTopic("one", TopicConfig.partitions(1));
      try (dev.onceflow.log.Producer p = log.producer()) {
        java.util.List<ProducerRecord> batch = new java.util.ArrayList<>();
        for (long i = 0; i < 5000; i++) {
          batch.add(new ProducerRecord(null, Long.toString(i).getBytes(StandardCharsets.UTF_8), i, null));
        }
        p.sendBatch(new TopicPartition("one", 0), batch);
      }
      CollectingSink<dev.onceflow.core.window.WindowResult<Long, Long>> sink = new CollectingSink<>();
      JobHandle job = Onceflow.pipeline("idle").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2)
          .source(LogSource.of(log, "one", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))),
              dev.onceflow.core.WatermarkStrategy.monotonous())
          .keyBy(i -> 0L)
          .window(dev.onceflow.core.window.WindowAssigner.tumbling(Duration.ofSeconds(1)))
          .count()
          .sinkTo(sink)
          .start();
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
      // wait for the condition "windows [0,1000) .. [3000,4000) fired" (the job is unbounded and never ends)
      while (sink.values().size() < 4 && System.nanoTime() < deadline) {
        java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
      }
      job.cancel();
      assertEquals(dev.onceflow.core.JobStatus.CANCELLED, job.status());
      assertEquals(4, sink.values().size(), "windows fired while subtask 1 has no partition");
      sink.values().forEach(r -> assertEquals(1000L, r.value()));
    }
  }
}
