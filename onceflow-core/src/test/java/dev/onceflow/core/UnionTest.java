package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UnionTest {
  @TempDir Path tmp;

  @Test
  void unionOfTwoSourcesWithBranchOperatorsFeedsOneWindowedCount() throws Exception {
    Pipeline p = Onceflow.pipeline("union").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2);
    DataStream<Long> evens = p.source(GeneratorSource.of(5000, i -> i * 2).withTimestamps(i -> i * 2),
        WatermarkStrategy.monotonous());
    DataStream<Long> odds = p.source(GeneratorSource.of(5000, i -> i).withTimestamps(i -> i * 2 + 1),
            WatermarkStrategy.monotonous())
        .map(i -> i * 2 + 1)
        .filter(i -> i >= 0);
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    evens.union(odds)
        .keyBy(i -> i % 4)
        .window(WindowAssigner.tumbling(Duration.ofMillis(1000)))
        .count()
        .sinkTo(sink);
    p.execute();
    Map<String, Long> actual = new TreeMap<>();
    for (WindowResult<Long, Long> r : sink.values()) {
      assertEquals(null, actual.put(r.key() + "@" + r.start(), r.value()));
    }
    Map<String, Long> model = new TreeMap<>();
    for (long v = 0; v < 10_000; v++) {
      model.merge((v % 4) + "@" + (v / 1000) * 1000, 1L, Long::sum);
    }
    assertEquals(model, actual);
  }

  @Test
  void unionIsExactlyOnceUnderFailures() throws Exception {
    long n = 100_000;
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(n / 4, n / 4, 2, checkpoints::completed, 1);
    Pipeline p = Onceflow.pipeline("union-eo").guarantee(Guarantee.EXACTLY_ONCE).parallelism(2).batchSize(64)
        .checkpointInterval(Duration.ofMillis(10)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .listener(checkpoints);
    DataStream<Long> a = p.source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(n / 2, i -> i), n / 8, checkpoints::completed, 2), fault));
    DataStream<Long> b = p.source(GeneratorSource.of(n / 2, i -> i + n / 2));
    a.union(b).keyBy(i -> i % 7).process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()));
    p.execute();
    assertEquals(2, fault.fired());
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), n, i -> i % 7);
  }

  /** A union of a keyed operator's output with a source stream (different stages), then keyed again. */
  @Test
  void unionAfterKeyByIsExactlyOnceUnderFailures() throws Exception {
    long n = 40_000;
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(n / 4, n / 4, 2, checkpoints::completed, 1);
    Pipeline p = Onceflow.pipeline("union-keyed").guarantee(Guarantee.EXACTLY_ONCE).parallelism(2).batchSize(64)
        .checkpointInterval(Duration.ofMillis(10)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .listener(checkpoints);
    // first half: deduplicated (keyed) ids; second half: straight from a source; then one keyed count of both
    DataStream<Long> keyed = p.source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(n / 2, i -> i), n / 8,
            checkpoints::completed, 2), fault))
        .keyBy(i -> i % 5).process(new PassThrough());
    DataStream<Long> other = p.source(GeneratorSource.of(n / 2, i -> i + n / 2));
    keyed.union(other).keyBy(i -> i % 7).process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()));
    p.execute();
    assertEquals(2, fault.fired());
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), n, i -> i % 7);
  }

  static final class PassThrough extends KeyedProcessFunction<Long, Long, Long> {
    @Override
    public void processElement(Long v, Context<Long> ctx, Collector<Long> out) {
      out.collect(v);
    }
  }
}
