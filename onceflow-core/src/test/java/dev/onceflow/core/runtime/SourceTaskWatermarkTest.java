package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.checkpoint.CheckpointCoordinator;
import dev.onceflow.core.checkpoint.PositionStore;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One source subtask with its chain replaced by a recorder, on an injected clock: what it emits downstream (watermarks,
 * idleness, ReplayEnd) and when, without waiting on the wall clock.
 */
class SourceTaskWatermarkTest {
  private static final long HOUR_MS = 3_600_000;
  private static final Transformation.WatermarkSpec MONOTONOUS = new Transformation.WatermarkSpec(0, 0);

  @TempDir Path tmp;
  private final ExecutorService io = Executors.newSingleThreadExecutor();
  private final List<Thread> threads = new ArrayList<>();
  private final CancelFlag cancel = new CancelFlag();
  private final List<CheckpointCoordinator> coordinators = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    cancel.cancel();
    for (Thread t : threads) {
      t.join(10_000);
    }
    // the coordinator completes checkpoints on its own thread: stop it before the temporary directory is deleted
    coordinators.forEach(CheckpointCoordinator::shutdown);
    io.shutdownNow();
    // a checkpoint write still running would race the temporary directory's deletion
    assertTrue(io.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS), "checkpoint I/O did not stop");
  }

  /** Records what reaches the chain, with the clock reading at each idle. */
  static final class Recorder extends ChainOp {
    final List<String> events = Collections.synchronizedList(new ArrayList<>());
    final AtomicLong clock;

    Recorder(AtomicLong clock) {
      this.clock = clock;
    }

    @Override
    void accept(Object record, Object key, long timestamp) {
      events.add("r" + record);
    }

    @Override
    void watermark(long watermark) {
      events.add("wm:" + (watermark == Long.MAX_VALUE ? "max" : watermark));
    }

    @Override
    void idle() {
      events.add("idle@" + clock.get());
    }

    @Override
    void replayEnd() {
      events.add("replayEnd");
    }

    @Override
    void endInput() {
      events.add("endInput");
    }

    @Override
    void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) {}

    @Override
    void endOfBatch() {}

    @Override
    void flushIdle() {}

    @Override
    void close(boolean failed) {}

    List<String> snapshot() {
      synchronized (events) {
        return new ArrayList<>(events);
      }
    }
  }

  private Recorder start(Source<Object> source, Guarantee guarantee, Map<String, byte[]> restored,
      PositionStore positions, Transformation.WatermarkSpec spec, long intervalMs, AtomicLong clockMs)
      throws Exception {
    Recorder head = new Recorder(clockMs);
    TaskContext ctx = new TaskContext("wm-test", 0, 1, 128, guarantee, 64, cancel);
    AttemptServices services = new AttemptServices(io, null, cancel);
    AtomicReference<SourceTask> task = new AtomicReference<>();
    CheckpointCoordinator coordinator = SourceTaskHarness.coordinator(tmp.resolve("ckpt"), "wm-test", guarantee, task);
    services.coordinator = coordinator;
    coordinators.add(coordinator);
    task.set(new SourceTask("0-0", source, head, ctx, services, restored, positions, spec, false, intervalMs,
        new AtomicLong(), new AtomicLong(), () -> TimeUnit.MILLISECONDS.toNanos(clockMs.get()),
        SourceTask.Reservation.DEFAULT));
    Thread t = new Thread(task.get(), "source-task-test");
    t.setDaemon(true);
    threads.add(t);
    t.start();
    return head;
  }

  private static void await(Recorder head, Predicate<List<String>> condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.test(head.snapshot())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what + "; events " + head.snapshot());
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // re-check the condition
    }
  }

  @SuppressWarnings("unchecked")
  private static Source<Object> generator(long n) {
    return (Source<Object>) (Source<?>) GeneratorSource.of(n, i -> i).withTimestamps(i -> i);
  }

  /**
   * The whole bounded input is read before the watermark throttle ever elapses (the clock does not move): the end of
   * input still sends +infinity at once, before the final checkpoint, so this subtask holds back no window.
   */
  @Test
  void aReaderAtEndOfInputEmitsInfinityAtOnceWhateverTheThrottle() throws Exception {
    Recorder head = start(generator(1000), Guarantee.AT_LEAST_ONCE, Map.of(), null, MONOTONOUS, HOUR_MS,
        new AtomicLong());
    await(head, e -> e.contains("endInput"), "the final checkpoint");
    List<String> events = head.snapshot();
    int max = events.indexOf("wm:max");
    assertTrue(max >= 0 && max < events.indexOf("endInput"), "+infinity before end of input: " + events);
    assertEquals("wm:62", events.stream().filter(s -> s.startsWith("wm:")).findFirst().orElseThrow(),
        "the first batch's watermark is not throttled");
  }

  /** The idle timeout runs on the injected clock: idle exactly once the clock passed it, not before. */
  @Test
  void idleTimeoutIsMeasuredOnTheInjectedClock() throws Exception {
    AtomicLong clock = new AtomicLong(1_000_000);
    Source<Object> unbounded = new Source<>() {
      @Override
      public String name() {
        return "ten-then-nothing";
      }

      @Override
      public SourceReader<Object> createReader(SourceContext context) {
        return new SourceReader<>() {
          private boolean emitted;

          @Override
          public ReadStatus poll(SourceOutput<Object> output, int maxRecords) {
            if (!emitted) {
              emitted = true;
              for (int i = 0; i < 10; i++) {
                output.collect(i, 5_000 + i);
              }
              return ReadStatus.MORE_AVAILABLE;
            }
            clock.addAndGet(10); // each empty poll "waits" 10 ms
            return ReadStatus.NOTHING_AVAILABLE;
          }

          @Override
          public byte[] snapshotPosition() {
            return new byte[0];
          }
        };
      }
    };
    Recorder head = start(unbounded, Guarantee.AT_LEAST_ONCE, Map.of(), null, new Transformation.WatermarkSpec(0, 60_000),
        20, clock);
    await(head, e -> e.stream().anyMatch(s -> s.startsWith("idle@")), "idle");
    List<String> events = head.snapshot();
    long idleAt = events.stream().filter(s -> s.startsWith("idle@")).mapToLong(s -> Long.parseLong(s.substring(5)))
        .findFirst().orElseThrow();
    assertTrue(idleAt > 1_000_000 + 60_000 && idleAt <= 1_000_000 + 60_000 + 20, "idle at " + idleAt + ": " + events);
    assertTrue(events.indexOf("wm:5008") >= 0, "the watermark of the records came first: " + events);
  }

  private static byte[] index(long i) {
    return ByteBuffer.allocate(8).putLong(i).array();
  }

  /**
   * AT_MOST_ONCE: the committed watermark (what may have fired windows before the failure) is emitted before
   * ReplayEnd, although the records replayed (from the checkpoint's position 100 to the committed 500) lead only to
   * 499.
   */
  @Test
  void atMostOnceReplayEndsAtTheCommittedWatermarkBeforeReplayEnd() throws Exception {
    PositionStore positions = new PositionStore(tmp.resolve("positions"), "source-0");
    positions.commit(index(500), false, 900, false);
    Recorder head = start(generator(1000), Guarantee.AT_MOST_ONCE, Map.of(SourceTask.POSITION, index(100)),
        positions, MONOTONOUS, 0, new AtomicLong());
    await(head, e -> e.contains("replayEnd"), "the end of the replay");
    List<String> events = head.snapshot();
    int replayEnd = events.indexOf("replayEnd");
    assertTrue(events.indexOf("wm:900") >= 0 && events.indexOf("wm:900") < replayEnd, "900 before ReplayEnd: " + events);
    // batches of 64 from 100: the replay overshoots the committed position to the end of its batch, 548
    assertTrue(events.subList(0, replayEnd).contains("r499") && !events.subList(0, replayEnd).contains("r99"),
        "records 100..499 replayed before ReplayEnd: " + events.subList(0, replayEnd));
  }

  /** AT_MOST_ONCE: a subtask restored at the end of its input (nothing to replay) sends +infinity before ReplayEnd. */
  @Test
  void atMostOnceSubtaskRestoredAtItsEndSendsInfinityBeforeReplayEnd() throws Exception {
    PositionStore positions = new PositionStore(tmp.resolve("positions"), "source-0");
    positions.commit(index(1000), false, Long.MAX_VALUE, false);
    Recorder head = start(generator(1000), Guarantee.AT_MOST_ONCE, Map.of(SourceTask.POSITION, index(1000)),
        positions, MONOTONOUS, 0, new AtomicLong());
    await(head, e -> e.contains("replayEnd"), "ReplayEnd");
    List<String> events = head.snapshot();
    assertTrue(events.indexOf("wm:max") >= 0 && events.indexOf("wm:max") < events.indexOf("replayEnd"), "" + events);
  }

  /** AT_MOST_ONCE: every watermark emitted was committed first, up to +infinity at the end. */
  @Test
  void atMostOnceCommitsTheWatermarkBeforeEmittingIt() throws Exception {
    PositionStore positions = new PositionStore(tmp.resolve("positions"), "source-0");
    Recorder head = start(generator(1000), Guarantee.AT_MOST_ONCE, Map.of(), positions, MONOTONOUS, 0,
        new AtomicLong());
    await(head, e -> e.contains("endInput"), "the final checkpoint");
    PositionStore.Committed committed = positions.load().orElseThrow();
    assertEquals(Long.MAX_VALUE, committed.watermark());
    assertTrue(committed.endOfInput());
  }
}
