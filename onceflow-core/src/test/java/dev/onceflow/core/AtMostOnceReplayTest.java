package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CollectingSink;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.FaultTestPipelines;
import dev.onceflow.core.testing.GatedSource;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AT_MOST_ONCE recovery restores state from the last checkpoint while the source's committed position is ahead of it.
 * The records in between must be replayed (output suppressed) so the state remembers their effects: otherwise a
 * deduplicator forgets ids it already emitted and emits their retries again, which at-most-once never allows.
 */
class AtMostOnceReplayTest {
  static final long N = 200_000;
  static final long IDS = N / 4;

  @TempDir Path tmp;

  @Test
  void deduplicateUnderAtMostOnceNeverEmitsAnIdTwiceAcrossFailures() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    // Each subtask reads a contiguous half of the input; id i % IDS repeats every IDS events, so an id first read
    // shortly before a fault (at a sixth and a third of each half) has its retries read only after the restart.
    // The second fault waits until the first one's restart restored: at-most-once reads ahead, so the other subtask
    // could otherwise reach the second fault inside the failing attempt (one restart, not two; seen at load 9).
    java.util.concurrent.atomic.AtomicReference<Fault> self = new java.util.concurrent.atomic.AtomicReference<>();
    Fault fault = new Fault(N / 3, N / 3, 2,
        () -> checkpoints.restores() >= self.get().fired() ? checkpoints.completed() : 0, 1);
    self.set(fault);
    CollectingSink<Long> sink = new CollectingSink<>();
    JobHandle job = amoPipeline("amo-dedup-replay", checkpoints)
        .source(new FailingSource<>(GeneratorSource.of(N, i -> i % IDS), fault))
        .deduplicate(id -> id, Duration.ofDays(1))
        .sinkTo(sink)
        .start();
    job.join();

    assertEquals(2, fault.fired(), "faults fired");
    assertTrue(checkpoints.restores() >= 2, "both restarts restored a completed checkpoint, was " + checkpoints.restores());
    Map<Long, Integer> perId = new HashMap<>();
    for (long id : sink.values()) {
      perId.merge(id, 1, Integer::sum);
    }
    perId.forEach((id, count) -> assertEquals(1, count, "id " + id + " emitted " + count + " times"));
    assertTrue(perId.size() <= IDS);
    // a sink that wrote nothing would pass the check above: at-most-once may lose a little around each fault, not all
    assertTrue(perId.size() > IDS * 3 / 4, "only " + perId.size() + " of " + IDS + " ids emitted");
  }

  /**
   * Windows fire on watermarks while the job runs. A restored subtask replays with output suppressed; its watermark
   * must catch up before output goes live, or a window that fired before the failure fires again.
   */
  @Test
  void aWindowThatFiredBeforeAFailureDoesNotFireAgain() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(N / 4, N / 4, 3, checkpoints::completed, 1);
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    amoPipeline("amo-window-replay", checkpoints)
        .source(new FailingSource<>(GeneratorSource.of(N, i -> i).withTimestamps(i -> i / 10), fault),
            WatermarkStrategy.monotonous())
        .keyBy(i -> i % 4)
        .window(WindowAssigner.tumbling(Duration.ofMillis(10)))
        .count()
        .sinkTo(sink)
        .start()
        .join();

    assertEquals(3, fault.fired(), "faults fired");
    assertEachWindowAtMostOnce(sink, 4 * N / 100, 25);
  }

  /**
   * Restored state plus the replay must hold each record once. If a snapshot could include records read after the
   * source's checkpointed position (barriers not aligned), replaying from that position would count them twice: the
   * 1-day windows, output at end of input, would then count more records than they have.
   */
  @Test
  void aRestoredWindowNeverCountsARecordTwice() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(N / 8, N / 8, 6, checkpoints::completed, 1);
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    amoPipeline("amo-window-counts", checkpoints)
        .source(new FailingSource<>(secondSubtaskLags(GeneratorSource.of(N, i -> i).withTimestamps(i -> i / 10)),
            fault), WatermarkStrategy.monotonous())
        .keyBy(i -> i % KEYS)
        .window(WindowAssigner.tumbling(Duration.ofDays(1)))
        .count()
        .sinkTo(sink)
        .start()
        .join();

    assertEquals(6, fault.fired(), "faults fired");
    assertEachWindowAtMostOnce(sink, KEYS, N / KEYS);
  }

  /**
   * End of input flushes every open window. A failure in the middle of that flush must not flush them again: the
   * windows written before it would be output twice.
   */
  @Test
  void aFailureWhileEndOfInputIsFlushedDoesNotRepeatTheFlush() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    Fault fault = new Fault(KEYS / 2, 1, 1, checkpoints::completed, 1);
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    amoPipeline("amo-final-flush", checkpoints)
        .source(new GatedSource<>(GeneratorSource.of(N, i -> i).withTimestamps(i -> i / 10), N / 2,
            checkpoints::completed, 2), WatermarkStrategy.monotonous())
        .keyBy(i -> i % KEYS)
        .window(WindowAssigner.tumbling(Duration.ofDays(1)))
        .count()
        .map(r -> {
          fault.check("window output");
          return r;
        })
        .sinkTo(sink)
        .start()
        .join();

    assertEquals(1, fault.fired(), "faults fired");
    assertEachWindowAtMostOnce(sink, KEYS, N / KEYS);
    assertTrue(sink.values().size() >= KEYS / 2 - 1, "the windows written before the failure are kept");
  }

  static final long KEYS = 50;

  /**
   * Paces both source subtasks alike (so both produce for the whole run) and stalls subtask 1 now and then, so its
   * barrier often reaches the keyed subtasks well after subtask 0's: without alignment they would snapshot subtask 0's
   * records from after its barrier. Skew, not synchronisation.
   */
  private static <T> Source<T> secondSubtaskLags(Source<T> source) {
    return new ForwardingSource<>(source) {
      @Override
      public SourceReader<T> createReader(SourceContext context) throws Exception {
        SourceReader<T> r = super.createReader(context);
        boolean lagging = context.subtask() == 1;
        return new ForwardingSourceReader<>(r) {
          private int polls;

          @Override
          public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
            LockSupport.parkNanos(lagging && ++polls % 4 == 0 ? 3_000_000 : 300_000);
            return r.poll(output, maxRecords);
          }
        };
      }
    };
  }

  private Pipeline amoPipeline(String name, CheckpointCounter checkpoints) {
    return FaultTestPipelines.pipeline(name, Guarantee.AT_MOST_ONCE, tmp.resolve("ckpt"), checkpoints);
  }

  /**
   * Each window output at most once, and never counting more records than it has: a record whose effect on state is
   * applied twice (restored state already holding it, then replayed) is a repeated effect too.
   */
  private static void assertEachWindowAtMostOnce(
      CollectingSink<WindowResult<Long, Long>> sink, long windows, long recordsPerWindow) {
    Map<String, Integer> perWindow = new HashMap<>();
    for (WindowResult<Long, Long> r : sink.values()) {
      perWindow.merge(r.key() + "@" + r.start(), 1, Integer::sum);
      assertTrue(r.value() <= recordsPerWindow,
          "window " + r.key() + "@" + r.start() + " counted " + r.value() + " > " + recordsPerWindow);
    }
    perWindow.forEach((w, count) -> assertEquals(1, count, "window " + w + " output " + count + " times"));
    assertTrue(perWindow.size() <= windows, perWindow.size() + " windows");
  }
}
