package dev.onceflow.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.connector.log.LogTopics;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import dev.onceflow.log.Log;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The meters of jobs with known counts: what they must read once the job is done. */
class JobMetersTest {
  static final long N = 40_000;
  @TempDir Path tmp;

  /** Collects what listeners see, to compare with the meters. */
  static final class Recorder implements JobListener {
    final List<CheckpointStats> stats = new CopyOnWriteArrayList<>();
    final List<RecoveryEvent> recovery = new CopyOnWriteArrayList<>();
    final List<Long> completed = new CopyOnWriteArrayList<>();

    @Override
    public void onCheckpointStats(CheckpointStats s) {
      stats.add(s);
    }

    @Override
    public void onRecovery(RecoveryEvent e) {
      recovery.add(e);
    }

    @Override
    public void onCheckpointCompleted(long id) {
      completed.add(id);
    }
  }

  private static double count(MeterRegistry r, String name, String... tags) {
    double sum = 0; // a meter not registered counts 0
    for (var c : r.find(name).tags(tags).counters()) {
      sum += c.count();
    }
    for (var c : r.find(name).tags(tags).functionCounters()) {
      sum += c.count();
    }
    return sum;
  }

  /** Exactly-once at parallelism 2, small batches, checkpoints every 10 ms, meters into {@code r}. */
  private dev.onceflow.core.Pipeline exactlyOnce(String name, MeterRegistry r) {
    return Onceflow.pipeline(name)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .meterRegistry(r);
  }

  @Test
  void countsOfAJobWithoutFailureMatchItsOutputAndListeners() throws Exception {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    Recorder rec = new Recorder();
    exactlyOnce("known", r)
        .listener(rec)
        .source(GeneratorSource.of(N, i -> i))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .execute();

    long committedOutput = FileSink.readCommitted(tmp.resolve("out")).size();
    assertEquals(N, committedOutput);
    assertEquals(N, count(r, MetricNames.SOURCE_RECORDS, "pipeline", "known"));
    assertEquals(N, count(r, MetricNames.STAGE_RECORDS_IN, "stage", "s1:process>sink(file)"));
    assertEquals(committedOutput, count(r, MetricNames.SINK_RECORDS, "sink", "file"));
    assertEquals(rec.completed.size(), count(r, MetricNames.CHECKPOINTS_COMPLETED));
    assertTrue(rec.completed.size() >= 2, "periodic checkpoints plus the final one: " + rec.completed);
    assertEquals((double) rec.completed.get(rec.completed.size() - 1), r.get(MetricNames.LAST_CHECKPOINT).gauge().value());
    assertEquals(-1, r.get(MetricNames.RESTORED_CHECKPOINT).gauge().value());
    // every checkpoint commits one transaction per sink subtask (the final one too)
    assertEquals(2.0 * rec.completed.size(),
        count(r, MetricNames.SINK_TRANSACTIONS_COMMITTED, "sink", "file", "phase", "checkpoint"));
    assertEquals(0, r.get(MetricNames.SINK_PENDING_TRANSACTIONS).gauge().value());
    assertEquals(0, count(r, MetricNames.SINK_TRANSACTIONS_ABORTED));

    Timer duration = r.get(MetricNames.CHECKPOINT_DURATION).timer();
    assertEquals(rec.completed.size(), duration.count());
    for (String phase : List.of("acknowledge", "barrier_start", "alignment", "sync_snapshot", "snapshot_write",
        "metadata_write", "sink_commit")) {
      assertEquals(rec.completed.size(), r.get(MetricNames.CHECKPOINT_PHASE).tag("phase", phase).timer().count(),
          phase);
    }
    assertTrue(r.get(MetricNames.CHECKPOINT_PHASE).tag("phase", "metadata_write").timer().totalTime(
        TimeUnit.NANOSECONDS) > 0, "the metadata write includes fsyncs: never 0");
    assertEquals(rec.completed.size(), r.get(MetricNames.SINK_VISIBILITY_DELAY).timer().count());

    assertEquals(rec.completed, rec.stats.stream().map(CheckpointStats::id).toList());
    long size = 0;
    for (CheckpointStats s : rec.stats) {
      assertNull(s.failure());
      assertTrue(s.durationNanos() >= s.acknowledgeNanos() + s.metadataWriteNanos() + s.sinkCommitNanos(),
          "phases fit in the duration: " + s);
      assertTrue(s.sizeBytes() > 0, "a checkpoint has state: " + s);
      size += s.sizeBytes();
    }
    assertTrue(rec.stats.get(rec.stats.size() - 1).finalCheckpoint());
    assertEquals(size, r.get(MetricNames.CHECKPOINT_SIZE).summary().totalAmount(), 0.0);
    assertEquals(List.of(RecoveryEvent.Kind.RECOVERED), rec.recovery.stream().map(RecoveryEvent::kind).toList());
    assertEquals(-1, rec.recovery.get(0).checkpointId());
  }

  /**
   * A finished job's counts stay in the registry (a dashboard, or a test reading them after execute()): Micrometer
   * holds a function counter's state weakly, and the job's objects are unreachable once it ended. With the state held
   * weakly this test fails every time (0 counts after the GC); the first test above failed that way once at random.
   */
  @Test
  void theCountsOfAFinishedJobOutliveItsObjects() throws Exception {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    exactlyOnce("gone", r)
        .source(GeneratorSource.of(N, i -> i))
        .map(i -> i + 1)
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .execute();
    for (int i = 0; i < 3; i++) {
      System.gc(); // the job's objects (readers, tasks, counters) are garbage now; clear every weak reference to them
    }
    assertEquals(N, count(r, MetricNames.SOURCE_RECORDS, "pipeline", "gone"));
    assertEquals(N, count(r, MetricNames.STAGE_RECORDS_IN));
    assertEquals(N, count(r, MetricNames.SINK_RECORDS));
    assertEquals(N, count(r, MetricNames.OPERATOR_RECORDS_IN, "kind", "map"));
    assertTrue(r.get(MetricNames.LAST_CHECKPOINT).gauge().value() >= 1);
    assertEquals(0, r.get(MetricNames.SINK_PENDING_TRANSACTIONS).gauge().value());
  }

  /**
   * Operators chained into one stage are counted one by one: map, filter (out < in), flatMap (out > in) before the
   * keyBy, the process function behind it, each with the records it saw and emitted.
   */
  @Test
  void everyOperatorOfAChainedStageHasItsOwnCounts() throws Exception {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    exactlyOnce("chain", r)
        .source(GeneratorSource.of(N, i -> i))
        .map(i -> i * 3)
        .filter(i -> i % 2 == 0) // keeps N / 2
        .flatMap((Long i, dev.onceflow.core.Collector<Long> out) -> {
          out.collect(i);
          out.collect(i + 1);
        }) // doubles
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .execute();

    assertEquals(N, FileSink.readCommitted(tmp.resolve("out")).size());
    assertEquals(N, count(r, MetricNames.OPERATOR_RECORDS_IN, "kind", "map"));
    assertEquals(N, count(r, MetricNames.OPERATOR_RECORDS_OUT, "kind", "map"));
    assertEquals(N, count(r, MetricNames.OPERATOR_RECORDS_IN, "kind", "filter"));
    assertEquals(N / 2, count(r, MetricNames.OPERATOR_RECORDS_OUT, "kind", "filter"));
    assertEquals(N / 2, count(r, MetricNames.OPERATOR_RECORDS_IN, "kind", "flatMap"));
    assertEquals(N, count(r, MetricNames.OPERATOR_RECORDS_OUT, "kind", "flatMap"));
    var process = r.find(MetricNames.OPERATOR_RECORDS_IN).tag("kind", "process:CountPerKey").functionCounter();
    assertEquals(N, process.count(), "the process function behind the keyBy: " + process.getId());
    assertEquals(N, count(r, MetricNames.OPERATOR_RECORDS_OUT, "kind", "process:CountPerKey"));
    // stage and operator tags say where each operator runs
    String stage0 = r.find(MetricNames.OPERATOR_RECORDS_IN).tag("kind", "map").functionCounter().getId().getTag("stage");
    assertTrue(stage0.startsWith("s0:"), stage0);
    assertTrue(process.getId().getTag("stage").startsWith("s1:"), process.getId().toString());
    assertTrue(process.getId().getTag("operator").startsWith("op"), process.getId().toString());
  }

  @Test
  void aFailureIsCountedWithItsCauseAndRecoveryCommitsTheRestoredTransactions() throws Exception {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    Recorder rec = new Recorder();
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(N / 2, 1, 1, checkpoints::completed, 2);
    Onceflow.pipeline("failing")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .meterRegistry(r)
        .listener(rec)
        .listener(checkpoints)
        .source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(N, i -> i), N / 4, checkpoints::completed, 2),
            fault))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .execute();

    assertEquals(1, fault.fired());
    assertEquals(N, FileSink.readCommitted(tmp.resolve("out")).size());
    assertEquals(1, count(r, MetricNames.RESTARTS, "cause", "InjectedFault"));
    assertEquals(1, count(r, MetricNames.ATTEMPT_FAILURES, "cause", "InjectedFault"));
    assertTrue(count(r, MetricNames.SOURCE_RECORDS) > N, "the replay counts again");
    assertTrue(count(r, MetricNames.SINK_RECORDS) > N, "records of the aborted transactions were written too");
    assertTrue(count(r, MetricNames.SINK_TRANSACTIONS_ABORTED) >= 1, "the open transactions were aborted");

    List<RecoveryEvent.Kind> kinds = rec.recovery.stream().map(RecoveryEvent::kind).toList();
    assertEquals(List.of(RecoveryEvent.Kind.RECOVERED, RecoveryEvent.Kind.ATTEMPT_FAILED,
        RecoveryEvent.Kind.RECOVERED), kinds);
    RecoveryEvent failed = rec.recovery.get(1);
    assertTrue(failed.cause().contains("InjectedFault"), failed.cause());
    RecoveryEvent restored = rec.recovery.get(2);
    assertEquals(checkpoints.lastRestored(), restored.checkpointId());
    assertTrue(restored.checkpointId() >= 2, "restored a real checkpoint: " + restored);
    assertEquals(restored.checkpointId(), r.get(MetricNames.RESTORED_CHECKPOINT).gauge().value());
    // the restored checkpoint records its own transactions (committed after it completed): recovery commits them again
    assertTrue(restored.transactionsCommitted() >= 1, restored.toString());
    assertEquals(restored.transactionsCommitted(),
        count(r, MetricNames.SINK_TRANSACTIONS_COMMITTED, "sink", "file", "phase", "recovery"));
    // the checkpoint in flight when the attempt failed (if any) was counted with its reason
    long ended = rec.stats.stream().filter(s -> s.failure() == CheckpointFailureReason.ATTEMPT_ENDED).count();
    assertEquals(ended, count(r, MetricNames.CHECKPOINT_FAILURES, "reason", "attempt_ended"));
  }

  @Test
  void deduplicatedRecordsAndBackpressureAreCounted() throws Exception {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    long n = 20_000;
    Onceflow.pipeline("dedup")
        .guarantee(Guarantee.AT_LEAST_ONCE)
        .parallelism(2)
        .batchSize(16)
        .channelCapacity(1)
        .meterRegistry(r)
        .source(GeneratorSource.of(n, i -> i % (n / 4)))
        .deduplicate(i -> i, Duration.ofDays(1))
        .sinkTo(new SlowSink(64, Duration.ZERO))
        .execute();
    assertEquals(n - n / 4, count(r, MetricNames.DEDUP_ABSORBED));
    assertEquals(n / 4, count(r, MetricNames.SINK_RECORDS));
    assertTrue(count(r, MetricNames.CHANNEL_BLOCKED) > 0, "a slow sink behind channels of one batch blocks senders");
  }

  @Test
  void theLogSourceReportsItsLagPerPartition() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "posts", 2, 1000, Long::toString);
      LogSource<String> source = LogSource.of(log, "posts", b -> new String(b, StandardCharsets.UTF_8));
      try (SourceReader<String> reader = source.createReader(new SourceContext("lag", 0, 1, Optional.empty()))) {
        assertEquals(java.util.Map.of("posts-0", 500L, "posts-1", 500L), reader.lag());
        long[] read = {0};
        SourceOutput<String> out = new SourceOutput<>() {
          @Override
          public void collect(String record) {
            read[0]++;
          }

          @Override
          public void collect(String record, long timestamp) {
            read[0]++;
          }

          @Override
          public void decodeFailed(String what, Exception cause) {}
        };
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (read[0] < 1000 && System.nanoTime() < deadline) {
          reader.poll(out, 100);
        }
        assertEquals(1000, read[0]);
        assertEquals(java.util.Map.of("posts-0", 0L, "posts-1", 0L), reader.lag());
      }
    }
  }

  /**
   * Each poll of the source takes 20 ms (a slow fetch) and each flush of the sink, which every barrier calls on the
   * task thread, 20 ms: a barrier waits for the poll in progress before the source injects it (barrier start), and
   * the flush is the synchronous part of each snapshot. Chained, the sink runs in the source's task; keyed, in a task
   * of its own behind the exchange. Not calling either meter from the tasks makes this fail (0).
   */
  @ParameterizedTest(name = "keyed: {0}")
  @ValueSource(booleans = {false, true})
  void theBarrierStartAndTheSynchronousSnapshotAreMeasuredOnTheirOwn(boolean keyed) throws Exception {
    SimpleMeterRegistry r = new SimpleMeterRegistry();
    Recorder rec = new Recorder();
    long pollNanos = TimeUnit.MILLISECONDS.toNanos(20);
    Duration flush = Duration.ofMillis(20);
    int parallelism = keyed ? 2 : 1;
    dev.onceflow.core.DataStream<Long> input = Onceflow.pipeline("phases")
        .guarantee(Guarantee.AT_LEAST_ONCE)
        .parallelism(parallelism)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .meterRegistry(r)
        .listener(rec)
        .source(new dev.onceflow.core.source.ForwardingSource<>(GeneratorSource.of(parallelism * 3_000L, i -> i)) {
          @Override
          public SourceReader<Long> createReader(SourceContext context) throws Exception {
            return new dev.onceflow.core.source.ForwardingSourceReader<>(super.createReader(context)) {
              @Override
              public dev.onceflow.core.source.ReadStatus poll(SourceOutput<Long> output, int maxRecords)
                  throws Exception {
                pause(pollNanos); // a slow fetch (load shaping, not synchronisation)
                return super.poll(output, maxRecords);
              }
            };
          }
        });
    if (keyed) {
      input = input.keyBy(i -> i % 7).process(new PassThrough());
    }
    input.sinkTo(new SlowSink(Integer.MAX_VALUE, flush)).execute();

    List<CheckpointStats> done = rec.stats.stream().filter(CheckpointStats::completed).toList();
    assertTrue(done.size() >= 5, "a second of input at 10 ms intervals: " + done.size() + " checkpoints");
    for (CheckpointStats s : done) {
      assertTrue(s.syncSnapshotNanos() >= flush.toNanos(), "the flush is synchronous: " + s);
      assertTrue(s.barrierStartNanos() + s.syncSnapshotNanos() <= s.acknowledgeNanos(),
          "both happen before the acknowledgement: " + s);
    }
    long longestStart = done.stream().mapToLong(CheckpointStats::barrierStartNanos).max().orElse(0);
    assertTrue(longestStart >= TimeUnit.MILLISECONDS.toNanos(5),
        "a trigger during a 20 ms poll waits for it: longest barrier start " + longestStart + " ns");
    assertEquals(done.size(), r.get(MetricNames.CHECKPOINT_PHASE).tag("phase", "sync_snapshot").timer().count());
  }

  static final class PassThrough extends dev.onceflow.core.KeyedProcessFunction<Long, Long, Long> {
    @Override
    public void processElement(Long value, Context<Long> ctx, dev.onceflow.core.Collector<Long> out) {
      out.collect(value);
    }
  }

  /**
   * Blocks the thread for {@code nanos} like blocking I/O would: a trigger's unpark of the source thread does not cut
   * it short.
   */
  static void pause(long nanos) {
    long end = System.nanoTime() + nanos;
    for (long left = nanos; left > 0; left = end - System.nanoTime()) {
      LockSupport.parkNanos(left);
    }
  }

  /** Writes slowly (a pause every {@code pauseEvery} records, and in each flush) so channels in front of it fill up. */
  static final class SlowSink implements WriteThroughSink<Long> {
    private final int pauseEvery;
    private final Duration flushPause;

    SlowSink(int pauseEvery, Duration flushPause) {
      this.pauseEvery = pauseEvery;
      this.flushPause = flushPause;
    }

    @Override
    public String name() {
      return "slow";
    }

    @Override
    public boolean idempotent() {
      return false;
    }

    @Override
    public SinkWriter<Long> createWriter(SinkContext context) {
      return new SinkWriter<>() {
        long n;

        @Override
        public void write(Long record) {
          if (++n % pauseEvery == 0) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // load shaping, not synchronisation
          }
        }

        @Override
        public void flush() {
          pause(flushPause.toNanos());
        }

        @Override
        public void close() {}
      };
    }
  }
}
