package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two-input keyed operators: connect + keyBy + KeyedCoProcessFunction, and the interval join built on it. */
class CoProcessTest {
  private static final long KEYS = 10;

  @TempDir Path tmp;

  /** Per key: how many records input 1 had, and the sum of input 2's; emitted once, at end of input, by a timer. */
  static final class CountAndSum extends KeyedCoProcessFunction<Long, Long, Long, String> {
    private transient ValueState<Long> count;
    private transient ValueState<Long> sum;

    @Override
    public void open(KeyedStateStore state) {
      count = state.valueState("count", Serializers.LONG);
      sum = state.valueState("sum", Serializers.LONG);
    }

    @Override
    public void processElement1(Long v, KeyedProcessFunction.Context<Long> ctx, Collector<String> out) {
      count.update(count.value() == null ? 1 : count.value() + 1);
      ctx.registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void processElement2(Long v, KeyedProcessFunction.Context<Long> ctx, Collector<String> out) {
      sum.update(sum.value() == null ? v : sum.value() + v);
      ctx.registerEventTimeTimer(Long.MAX_VALUE);
    }

    @Override
    public void onTimer(long t, KeyedProcessFunction.Context<Long> ctx, Collector<String> out) {
      out.collect(ctx.currentKey() + "," + (count.value() == null ? 0 : count.value()) + ","
          + (sum.value() == null ? 0 : sum.value()));
    }
  }

  private static TreeSet<String> expectedCountAndSum(long n1, long n2) {
    TreeMap<Long, long[]> m = new TreeMap<>();
    for (long i = 0; i < n1; i++) {
      m.computeIfAbsent(i % KEYS, k -> new long[2])[0]++;
    }
    for (long j = 0; j < n2; j++) {
      m.computeIfAbsent(j % KEYS, k -> new long[2])[1] += j;
    }
    TreeSet<String> out = new TreeSet<>();
    m.forEach((k, v) -> out.add(k + "," + v[0] + "," + v[1]));
    return out;
  }

  @Test
  void bothInputsShareKeyedStateAndTimers() throws Exception {
    Pipeline p = Onceflow.pipeline("co").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2);
    DataStream<Long> a = p.source(GeneratorSource.of(5_000, i -> i));
    DataStream<Long> b = p.source(GeneratorSource.of(3_000, j -> j)).map(j -> j);
    CollectingSink<String> sink = new CollectingSink<>();
    a.connect(b).keyBy(i -> i % KEYS, j -> j % KEYS).process(new CountAndSum()).sinkTo(sink);
    p.execute();
    assertEquals(expectedCountAndSum(5_000, 3_000), new TreeSet<>(sink.values()));
    assertEquals(KEYS, sink.values().size());
  }

  /** Barriers aligned across both inputs: the state restored after failures holds every record of both once. */
  @Test
  void coProcessIsExactlyOnceUnderFailures() throws Exception {
    long n = 60_000;
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(n / 8, n / 8, 2, checkpoints::completed, 1);
    Pipeline p = Onceflow.pipeline("co-eo").guarantee(Guarantee.EXACTLY_ONCE).parallelism(2).batchSize(64)
        .checkpointInterval(Duration.ofMillis(10)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .listener(checkpoints);
    DataStream<Long> a = p.source(new FailingSource<>(
        new GatedSource<>(GeneratorSource.of(n / 2, i -> i), n / 16, checkpoints::completed, 2), fault));
    // the second input comes out of a keyed stage: the co-process reads two different stages
    DataStream<Long> b = p.source(GeneratorSource.of(n / 2, j -> j)).keyBy(j -> j % 3)
        .process(new UnionTest.PassThrough());
    a.connect(b).keyBy(i -> i % KEYS, j -> j % KEYS).process(new CountAndSum())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()));
    p.execute();
    assertEquals(2, fault.fired());
    List<String> out = FileSink.readCommitted(tmp.resolve("out"));
    assertEquals(KEYS, out.size(), "one result per key: " + out);
    assertEquals(expectedCountAndSum(n / 2, n / 2), new TreeSet<>(out));
  }

  static TreeSet<String> expectedPairs(long n, long keys, long lower, long upper, long rightScale) {
    TreeSet<String> out = new TreeSet<>();
    for (long i = 0; i < n; i++) {
      for (long j = 0; j < n; j++) {
        long lt = i;
        long rt = j * rightScale;
        if (i % keys == j % keys && rt >= lt + lower && rt <= lt + upper) {
          out.add(i + "," + j);
        }
      }
    }
    return out;
  }

  @Test
  void intervalJoinEmitsEveryPairInTheIntervalOnce() throws Exception {
    long n = 2_000;
    Pipeline p = Onceflow.pipeline("join").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2);
    KeyedStream<Long, Long> left = p.source(GeneratorSource.of(n, i -> i).withTimestamps(i -> i),
        WatermarkStrategy.monotonous()).keyBy(i -> i % 7);
    KeyedStream<Long, Long> right = p.source(GeneratorSource.of(n, j -> j).withTimestamps(j -> j * 2),
        WatermarkStrategy.monotonous()).keyBy(j -> j % 7);
    CollectingSink<String> sink = new CollectingSink<>();
    left.intervalJoin(right).between(Duration.ofMillis(-10), Duration.ofMillis(25))
        .process((Long l, Long r, Collector<String> out) -> out.collect(l + "," + r))
        .sinkTo(sink);
    p.execute();
    TreeSet<String> expected = expectedPairs(n, 7, -10, 25, 2);
    assertEquals(expected.size(), sink.values().size(), "pairs emitted (duplicates or misses)");
    assertEquals(expected, new TreeSet<>(sink.values()));
  }

  @Test
  void intervalJoinNeedsAnInterval() {
    Pipeline p = Onceflow.pipeline("join-bad");
    KeyedStream<Long, Long> a = p.source(GeneratorSource.of(1, i -> i)).keyBy(i -> i);
    assertThrowsInvalid(() -> a.intervalJoin(a).process((l, r, out) -> out.collect(l)));
    assertThrowsInvalid(() -> a.intervalJoin(a).between(Duration.ofMillis(5), Duration.ofMillis(1)));
  }

  private static void assertThrowsInvalid(org.junit.jupiter.api.function.Executable e) {
    org.junit.jupiter.api.Assertions.assertThrows(InvalidPipelineException.class, e);
  }

  /** A source that never has data and never ends. */
  static final class Silent implements Source<Long> {
    @Override
    public String name() {
      return "silent";
    }

    @Override
    public SourceReader<Long> createReader(SourceContext ctx) {
      return new SourceReader<>() {
        @Override
        public ReadStatus poll(SourceOutput<Long> output, int maxRecords) {
          return ReadStatus.NOTHING_AVAILABLE;
        }

        @Override
        public byte[] snapshotPosition() {
          return new byte[0];
        }
      };
    }
  }

  /** Emits each input-1 record when the watermark passes it. */
  static final class EmitOnWatermark extends KeyedCoProcessFunction<Long, Long, Long, Long> {
    @Override
    public void processElement1(Long v, KeyedProcessFunction.Context<Long> ctx, Collector<Long> out) {
      if (v < 100) {
        ctx.registerEventTimeTimer(ctx.timestamp());
      }
    }

    @Override
    public void processElement2(Long v, KeyedProcessFunction.Context<Long> ctx, Collector<Long> out) {}

    @Override
    public void onTimer(long t, KeyedProcessFunction.Context<Long> ctx, Collector<Long> out) {
      out.collect(t);
    }
  }

  /**
   * The co-process's watermark is the minimum of both inputs, except an idle one: input 2 never has data and is
   * marked idle after 50 ms, so input 1's watermark fires the timers while the job still runs (it never ends).
   */
  @Test
  void anIdleInputDoesNotHoldBackTheWatermark() throws Exception {
    Pipeline p = Onceflow.pipeline("co-idle").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(1);
    DataStream<Long> a = p.source(GeneratorSource.of(101, i -> i).withTimestamps(i -> i < 100 ? i : 1_000),
        WatermarkStrategy.monotonous());
    DataStream<Long> b = p.source(new Silent(), WatermarkStrategy.monotonous().withIdleness(Duration.ofMillis(50)));
    CollectingSink<Long> sink = new CollectingSink<>();
    a.connect(b).keyBy(i -> i % 3, j -> j % 3).process(new EmitOnWatermark()).sinkTo(sink);
    JobHandle job = p.start();
    try {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (sink.values().size() < 100 && System.nanoTime() < deadline && job.status() == JobStatus.RUNNING) {
        job.awaitTermination(Duration.ofMillis(10));
      }
      assertEquals(JobStatus.RUNNING, job.status());
      List<Long> fired = new ArrayList<>(sink.values());
      assertEquals(100, fired.size(), "timers fired while input 2 is idle: " + fired.size());
      assertTrue(fired.stream().allMatch(t -> t < 100));
    } finally {
      job.cancel();
    }
  }
}
