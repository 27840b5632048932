package dev.onceflow.core.window;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongUnaryOperator;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event-time windows and deduplication against plain models, including late data. */
class WindowOperatorTest {
  @TempDir Path tmp;

  private static Map<String, Long> tumblingModel(long n, long size, LongUnaryOperator key, LongUnaryOperator ts) {
    Map<String, Long> m = new TreeMap<>();
    for (long i = 0; i < n; i++) {
      long t = ts.applyAsLong(i);
      long start = Math.floorDiv(t, size) * size;
      m.merge(key.applyAsLong(i) + "@" + start, 1L, Long::sum);
    }
    return m;
  }

  private static Map<String, Long> asMap(List<WindowResult<Long, Long>> results) {
    Map<String, Long> m = new TreeMap<>();
    for (WindowResult<Long, Long> r : results) {
      Long prev = m.put(r.key() + "@" + r.start(), r.value());
      assertEquals(null, prev, "window " + r.key() + "@" + r.start() + " fired twice");
    }
    return m;
  }

  @Property(tries = 8)
  void tumblingCountMatchesModelWithOutOfOrderTimestamps(
      @ForAll @IntRange(min = 1, max = 3) int parallelism, @ForAll @IntRange(min = 1, max = 400) int batch) {
    long n = 20_000;
    LongUnaryOperator ts = i -> i * 3 + (i % 5) * 7; // out of order by at most 28 ms
    LongUnaryOperator key = i -> i % 11;
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    run(() -> Onceflow.pipeline("tumble").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(parallelism).batchSize(batch)
        .source(GeneratorSource.of(n, i -> i).withTimestamps(ts),
            WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(30)))
        .keyBy(i -> i % 11)
        .window(WindowAssigner.tumbling(Duration.ofMillis(1000)))
        .count()
        .sinkTo(sink)
        .execute());
    assertEquals(tumblingModel(n, 1000, key, ts), asMap(sink.values()));
  }

  @Test
  void slidingWindowsMatchModel() {
    long n = 5_000;
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    run(() -> Onceflow.pipeline("slide").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2)
        .source(GeneratorSource.of(n, i -> i).withTimestamps(i -> i * 2), WatermarkStrategy.monotonous())
        .keyBy(i -> i % 3)
        .window(WindowAssigner.sliding(Duration.ofMillis(100), Duration.ofMillis(30)))
        .count()
        .sinkTo(sink)
        .execute());
    Map<String, Long> model = new TreeMap<>();
    for (long i = 0; i < n; i++) {
      long t = i * 2;
      for (long start = Math.floorDiv(t, 30) * 30; start > t - 100; start -= 30) {
        model.merge((i % 3) + "@" + start, 1L, Long::sum);
      }
    }
    assertEquals(model, asMap(sink.values()));
  }

  @Test
  void sessionWindowsMergeRecordsCloserThanTheGap() {
    // key 0: bursts of 10 events 1 ms apart, bursts 50 ms apart; gap 20 ms -> one session per burst
    long n = 1_000;
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    run(() -> Onceflow.pipeline("session").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2)
        .source(GeneratorSource.of(n, i -> i).withTimestamps(i -> (i / 10) * 50 + i % 10),
            WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(5)))
        .keyBy(i -> 0L)
        .window(WindowAssigner.session(Duration.ofMillis(20)))
        .count()
        .sinkTo(sink)
        .execute());
    List<WindowResult<Long, Long>> r = new ArrayList<>(sink.values());
    assertEquals(100, r.size());
    for (WindowResult<Long, Long> w : r) {
      assertEquals(10L, w.value());
      assertEquals(0, w.start() % 50);
      assertEquals(w.start() + 9 + 20, w.end());
    }
  }

  @Test
  void lateRecordsGoToTheSideOutputAndLateRecordsWithinLatenessRefireTheWindow() {
    // P=1, batch 1: a watermark (max ts - 1) follows every record, so lateness is deterministic.
    long[] ts = new long[400];
    for (int i = 0; i < ts.length; i++) {
      ts[i] = i * 10L;
      if (i % 50 == 49) {
        ts[i] = i * 10L - 1200; // > 1 s behind: its window fired more than the lateness ago
      } else if (i % 50 == 25) {
        ts[i] = i * 10L - 150; // a little behind: within the 200 ms allowed lateness
      }
    }
    ConcurrentLinkedQueue<Long> late = new ConcurrentLinkedQueue<>();
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    run(() -> Onceflow.pipeline("late").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(1).batchSize(1)
        .watermarkInterval(Duration.ZERO)
        .source(GeneratorSource.of(ts.length, i -> i).withTimestamps(i -> ts[(int) i]),
            WatermarkStrategy.monotonous())
        .keyBy(i -> 0L)
        .window(WindowAssigner.tumbling(Duration.ofMillis(100)))
        .allowedLateness(Duration.ofMillis(200))
        .sideOutputLateData(late::add)
        .count()
        .sinkTo(sink)
        .execute());
    // model: watermark before record i = max(ts[0..i-1]) - 1
    long wm = Long.MIN_VALUE;
    long max = Long.MIN_VALUE;
    List<Long> lateModel = new ArrayList<>();
    Map<Long, Long> finalCounts = new TreeMap<>();
    int refires = 0;
    for (int i = 0; i < ts.length; i++) {
      long start = Math.floorDiv(ts[i], 100) * 100;
      if (wm != Long.MIN_VALUE && start + 99 + 200 <= wm) {
        lateModel.add((long) i);
      } else {
        finalCounts.merge(start, 1L, Long::sum);
        if (start + 99 <= wm) {
          refires++;
        }
      }
      max = Math.max(max, ts[i]);
      wm = max - 1;
    }
    assertEquals(lateModel, new ArrayList<>(late));
    assertTrue(!lateModel.isEmpty() && refires > 0, "the test data has late and re-firing records");
    Map<Long, Long> lastPerWindow = new TreeMap<>();
    for (WindowResult<Long, Long> r : sink.values()) {
      lastPerWindow.put(r.start(), r.value());
    }
    assertEquals(finalCounts, lastPerWindow);
    assertEquals(finalCounts.size() + refires, sink.values().size());
  }

  @Test
  void deduplicateDropsIdsSeenWithinTheTtlOnly() {
    // event i has id i/3 (three copies, 1 ms apart) plus a copy of id 0 every 1000 ms
    long n = 3000;
    CollectingSink<long[]> sink = new CollectingSink<>();
    run(() -> Onceflow.pipeline("dedup").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2)
        .source(GeneratorSource.of(n, i -> new long[] {i % 500 == 0 ? 0 : i / 3, i}).withTimestamps(i -> i),
            WatermarkStrategy.monotonous())
        .deduplicate(e -> e[0], Duration.ofMillis(100))
        .sinkTo(sink)
        .execute());
    Map<Long, Integer> perId = new HashMap<>();
    for (long[] e : sink.values()) {
      perId.merge(e[0], 1, Integer::sum);
    }
    for (long id = 1; id < n / 3; id++) {
      assertEquals(1, perId.getOrDefault(id, 0), "id " + id);
    }
    // id 0 appears at t=0,1,2 and every 500 ms: 500 ms > ttl, so it is emitted again each time
    assertEquals((int) (n / 500), perId.get(0L));
  }

  @Test
  void windowCountIsExactUnderFailuresWithExactlyOnce() throws Exception {
    long n = 200_000;
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(n / 3, n / 3, 2, checkpoints::completed, 1);
    Path out = tmp.resolve("out");
    Onceflow.pipeline("window-eo").guarantee(Guarantee.EXACTLY_ONCE).parallelism(2).batchSize(64)
        .checkpointInterval(Duration.ofMillis(10)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .listener(checkpoints)
        .source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(n, i -> i).withTimestamps(i -> i / 10),
            n / 2, checkpoints::completed, 2), fault),
            WatermarkStrategy.monotonous())
        .keyBy(i -> (i * 2654435761L) % 50)
        .window(WindowAssigner.tumbling(Duration.ofMillis(1000)))
        .count()
        .sinkTo(FileSink.of(out, (WindowResult<Long, Long> r) ->
            (r.key() + "@" + r.start() + "=" + r.value()).getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .execute();
    assertEquals(2, fault.fired());
    Map<String, Long> actual = new TreeMap<>();
    for (String l : FileSink.readCommitted(out)) {
      String[] kv = l.split("=");
      assertEquals(null, actual.put(kv[0], Long.parseLong(kv[1])), "window " + kv[0] + " committed twice");
    }
    assertEquals(tumblingModel(n, 1000, i -> (i * 2654435761L) % 50, i -> i / 10), actual);
  }

  private interface Body {
    void run() throws Exception;
  }

  private static void run(Body b) {
    try {
      b.run();
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }
}
