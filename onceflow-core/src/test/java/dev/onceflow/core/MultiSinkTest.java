package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several sinks, a stream read by several branches, side outputs: one pipeline, one set of checkpoints. */
class MultiSinkTest {
  @TempDir Path tmp;

  @Test
  void oneStreamFeedsTwoSinksAndAKeyedBranch() throws Exception {
    Pipeline p = Onceflow.pipeline("fanout").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2);
    DataStream<Long> ids = p.source(GeneratorSource.of(10_000, i -> i)).map(i -> i);
    CollectingSink<Long> raw = new CollectingSink<>("raw");
    CollectingSink<String> evens = new CollectingSink<>("evens");
    CollectingSink<String> counts = new CollectingSink<>("counts");
    ids.sinkTo(raw);
    ids.filter(i -> i % 2 == 0).map(i -> "e" + i).sinkTo(evens);
    ids.keyBy(i -> i % 7).process(new CountPerKey()).sinkTo(counts);
    p.execute();
    Set<Long> rawSet = new TreeSet<>(raw.values());
    assertEquals(10_000, raw.values().size());
    assertEquals(10_000, rawSet.size());
    assertEquals(5_000, evens.values().size());
    Expectations.assertExactlyOnce(counts.values(), 10_000, i -> i % 7);
  }

  @Test
  void twoSinksOfOneNameAreRefusedWithTheName() {
    Pipeline p = Onceflow.pipeline("dup").guarantee(Guarantee.AT_LEAST_ONCE);
    DataStream<Long> s = p.source(GeneratorSource.of(10, i -> i));
    s.sinkTo(new CollectingSink<>("out"));
    InvalidPipelineException e = assertThrows(InvalidPipelineException.class,
        () -> s.map(i -> i + 1).sinkTo(new CollectingSink<>("out")));
    assertTrue(e.getMessage().contains("'out'"), e.getMessage());
  }

  @Test
  void twoTransactionalSinksAreExactlyOnceUnderFailures() throws Exception {
    long n = 60_000;
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(n / 4, n / 4, 2, checkpoints::completed, 1);
    Pipeline p = Onceflow.pipeline("two-tx").guarantee(Guarantee.EXACTLY_ONCE).parallelism(2).batchSize(64)
        .checkpointInterval(Duration.ofMillis(10)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .listener(checkpoints);
    DataStream<Long> in = p.source(new FailingSource<>(
        new GatedSource<>(GeneratorSource.of(n, i -> i), n / 8, checkpoints::completed, 2), fault));
    in.keyBy(i -> i % 7).process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("counts"), Encoder.<String>utf8String()).named("counts"));
    in.map(i -> i + "," + (i % 5) + ",0").sinkTo(
        FileSink.of(tmp.resolve("ids"), Encoder.<String>utf8String()).named("ids"));
    p.execute();
    assertEquals(2, fault.fired());
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("counts")), n, i -> i % 7);
    List<String> ids = FileSink.readCommitted(tmp.resolve("ids"));
    assertEquals(n, ids.size());
    assertEquals(n, new HashSet<>(ids).size());
  }

  @Test
  void sideOutputsAreStreamsOfTheirOwn() throws Exception {
    OutputTag<Long> odd = new OutputTag<>("odd");
    Pipeline p = Onceflow.pipeline("side").guarantee(Guarantee.AT_LEAST_ONCE).parallelism(2);
    DataStream<Long> evens = p.source(GeneratorSource.of(1000, i -> i)).keyBy(i -> i % 3)
        .process(new SplitOdd(odd));
    CollectingSink<Long> main = new CollectingSink<>("main");
    CollectingSink<Long> side = new CollectingSink<>("side");
    evens.sinkTo(main);
    evens.sideOutput(odd).map(v -> -v).sinkTo(side);
    p.execute();
    assertEquals(500, main.values().size());
    assertTrue(main.values().stream().allMatch(v -> v % 2 == 0));
    assertEquals(500, side.values().size());
    assertTrue(side.values().stream().allMatch(v -> v < 0 && -v % 2 == 1));
  }

  static final class SplitOdd extends KeyedProcessFunction<Long, Long, Long> {
    private final OutputTag<Long> odd;

    SplitOdd(OutputTag<Long> odd) {
      this.odd = odd;
    }

    @Override
    public void processElement(Long v, Context<Long> ctx, Collector<Long> out) {
      if (v % 2 == 0) {
        out.collect(v);
      } else {
        ctx.output(odd, v);
      }
    }
  }

  @Test
  void sideOutputOfAStreamWithoutAProcessFunctionIsRefused() {
    Pipeline p = Onceflow.pipeline("side-bad");
    DataStream<Long> s = p.source(GeneratorSource.of(10, i -> i)).map(i -> i);
    assertThrows(InvalidPipelineException.class, () -> s.sideOutput(new OutputTag<Long>("x")));
  }

  /**
   * Late data goes to a transactional sink: under failures every input is, exactly once, either counted in a window
   * result or in the late output (which of the two may differ between a run and its replay; the committed outputs
   * agree because they come from the same checkpoints).
   */
  @Test
  void lateDataGoesToATransactionalSinkExactlyOnce() throws Exception {
    long n = 40_000;
    OutputTag<Long> lateTag = new OutputTag<>("late");
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(n / 3, n / 3, 2, checkpoints::completed, 1);
    Pipeline p = Onceflow.pipeline("late").guarantee(Guarantee.EXACTLY_ONCE).parallelism(1).batchSize(32)
        .watermarkInterval(Duration.ZERO)
        .checkpointInterval(Duration.ofMillis(10)).checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMillis(1)))
        .listener(checkpoints);
    // every 50th record is 5 s behind the others: late for its 1 s window
    DataStream<WindowResult<Long, Long>> windows = p.source(new FailingSource<>(new GatedSource<>(
            GeneratorSource.of(n, i -> i).withTimestamps(i -> i % 50 == 49 ? i - 5_000 : i), n / 6,
            checkpoints::completed, 2), fault), WatermarkStrategy.monotonous())
        .keyBy(i -> i % 3)
        .window(WindowAssigner.tumbling(Duration.ofSeconds(1)))
        .sideOutputLateData(lateTag)
        .count();
    windows.map(r -> r.key() + "@" + r.start() + "=" + r.value())
        .sinkTo(FileSink.of(tmp.resolve("windows"), Encoder.<String>utf8String()).named("windows"));
    windows.sideOutput(lateTag).map(String::valueOf)
        .sinkTo(FileSink.of(tmp.resolve("late"), Encoder.<String>utf8String()).named("late"));
    p.execute();
    assertEquals(2, fault.fired());
    List<String> late = FileSink.readCommitted(tmp.resolve("late"));
    assertEquals(late.size(), new HashSet<>(late).size(), "a late record was committed twice");
    assertTrue(late.size() > 0, "no late record");
    long counted = 0;
    Set<String> windowKeys = new HashSet<>();
    for (String w : FileSink.readCommitted(tmp.resolve("windows"))) {
      assertTrue(windowKeys.add(w.substring(0, w.indexOf('='))), "window fired twice: " + w);
      counted += Long.parseLong(w.substring(w.indexOf('=') + 1));
    }
    assertEquals(n, counted + late.size(), "windows + late must account for every input once");
    List<Long> lateIds = new ArrayList<>();
    for (String l : late) {
      lateIds.add(Long.parseLong(l));
    }
    assertTrue(lateIds.stream().allMatch(i -> i % 50 == 49), "only the delayed records are late");
  }
}
