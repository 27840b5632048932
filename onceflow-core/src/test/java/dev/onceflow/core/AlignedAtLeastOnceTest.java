package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.FaultTestPipelines;
import dev.onceflow.core.window.AggregateFunction;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * AT_LEAST_ONCE with aligned snapshots: a restored window state never counts a record twice, so window counts written
 * with replacement semantics (last value per window, as an upsert writes them) end exact; with the default unaligned
 * snapshots the same run overcounts.
 *
 * <p>The run is arranged so that an unaligned snapshot must hold records from after its source positions: source
 * subtask 1 stops inside a poll (so it cannot pass its barrier) until source subtask 0 has passed a barrier that
 * subtask 1 has not, and the window stage has counted a record subtask 0 read after that barrier. Aligned, that never
 * happens (the window stage stops reading subtask 0's channel at its barrier), so subtask 1 goes on after a deadline.
 * Then subtask 1's barrier completes the checkpoint, subtask 1 stops again (no later checkpoint can complete) and
 * subtask 0 fails: the job restores exactly that checkpoint and replays from its positions. Under AT_LEAST_ONCE the
 * runtime asks a reader for its position only at barriers, which is how the reader sees them.
 */
@Timeout(120)
class AlignedAtLeastOnceTest {
  static final long N = 200_000;
  static final long KEYS = 4;
  static final long WINDOW_MS = 10_000;
  /** Per run name: what the window stage has seen, for the held source subtask to wait on. */
  static final Map<String, Run> RUNS = new ConcurrentHashMap<>();

  @TempDir Path tmp;

  @Test
  void aSinkAskingForAlignedSnapshotsGetsExactCounts() throws Exception {
    Outcome o = run("aligned-by-sink", true, false);
    assertTrue(o.run.releasedByDeadline.get(), "aligned: no record after subtask 0's barrier may be counted before"
        + " the snapshot, so the held subtask must have gone on after its deadline");
    assertExact(o);
  }

  @Test
  void thePipelineOptionAlignsToo() throws Exception {
    Outcome o = run("aligned-by-pipeline", false, true);
    assertTrue(o.run.releasedByDeadline.get(), "aligned: nothing after the barrier counted before the snapshot");
    assertExact(o);
  }

  /** The same run with the default unaligned snapshots overcounts: the test above can catch a missing alignment. */
  @Test
  void unalignedSnapshotsOvercountTheSameRun() throws Exception {
    Outcome o = run("unaligned", false, false);
    assertFalse(o.run.releasedByDeadline.get(), "unaligned: a record after subtask 0's barrier is counted before the"
        + " snapshot");
    long over = o.counts.values().stream().mapToLong(c -> Math.max(0, c - WINDOW_MS / KEYS)).sum();
    System.out.println("unaligned at-least-once: overcounted " + over + " over " + o.counts.size() + " windows");
    assertTrue(over > 0, "the restored unaligned snapshot held records past its positions: expected an overcount, got"
        + " exact counts " + o.counts);
    o.counts.values().forEach(c -> assertTrue(c >= WINDOW_MS / KEYS, "at-least-once never loses: " + o.counts));
  }

  private static void assertExact(Outcome o) {
    assertEquals(N / WINDOW_MS * KEYS, o.counts.size(), "every window written");
    o.counts.forEach((w, c) -> assertEquals(WINDOW_MS / KEYS, c, "count of window " + w + " (" + o.counts + ")"));
  }

  record Outcome(Run run, Map<String, Long> counts) {}

  private Outcome run(String name, boolean sinkAsks, boolean pipelineAsks) throws Exception {
    Run run = new Run();
    RUNS.put(name, run);
    LastValueSink sink = new LastValueSink(sinkAsks);
    FaultTestPipelines.pipeline(name, Guarantee.AT_LEAST_ONCE, tmp.resolve("ckpt"), new CheckpointCounter())
        .listener(run)
        .alignedSnapshots(pipelineAsks)
        .source(new HeldSource(GeneratorSource.of(N, i -> i).withTimestamps(i -> i), name), WatermarkStrategy.monotonous())
        .keyBy(i -> i % KEYS)
        .window(WindowAssigner.tumbling(Duration.ofMillis(WINDOW_MS)))
        .aggregate(new TrackingCount(name))
        .sinkTo(sink)
        .start()
        .join();
    RUNS.remove(name);
    assertEquals(1, run.failures.get(), "the injected failure happened once");
    assertEquals(1, run.restores.get(), "one restore");
    assertTrue(run.heldCheckpoint.get() > 0, "a barrier was held");
    assertEquals(run.heldCheckpoint.get(), run.restored.get(), "the job restored the checkpoint taken at the held"
        + " barrier");
    return new Outcome(run, new TreeMap<>(sink.last));
  }

  /** What one run observed, shared by the source readers, the window stage and the job listener. */
  static final class Run implements JobListener {
    final AtomicLong completed = new AtomicLong();
    final AtomicInteger barriers0 = new AtomicInteger();
    final AtomicInteger barriers1 = new AtomicInteger();
    /** Subtask 0's position at a barrier subtask 1 had not passed yet (while subtask 1 is held), -1 before. */
    final AtomicLong cut0 = new AtomicLong(-1);
    final AtomicBoolean countedPastCut = new AtomicBoolean();
    final AtomicBoolean releasedByDeadline = new AtomicBoolean();
    final AtomicBoolean holding = new AtomicBoolean();
    /**
     * The id of the held checkpoint: subtask 0's barrier count at the cut. Every checkpoint reaches every source (one
     * is pending at a time, so none is skipped) and a fresh directory numbers them from 1.
     */
    final AtomicLong heldCheckpoint = new AtomicLong(-1);
    final AtomicBoolean passedHeldBarrier = new AtomicBoolean();
    final AtomicLong maxCompletedId = new AtomicLong(-1);
    final AtomicInteger failures = new AtomicInteger();
    final AtomicInteger restores = new AtomicInteger();
    final AtomicLong restored = new AtomicLong(-1);

    @Override
    public void onCheckpointCompleted(long id) {
      maxCompletedId.accumulateAndGet(id, Math::max);
      completed.incrementAndGet();
    }

    @Override
    public void onRestored(long checkpointId) {
      restores.incrementAndGet();
      restored.set(checkpointId);
    }
  }

  /** Counts per window; notes when the window stage counts a record of subtask 0 read after the held barrier. */
  static final class TrackingCount implements AggregateFunction<Long, Long, Long> {
    private final String run;

    TrackingCount(String run) {
      this.run = run;
    }

    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(Long value, Long acc) {
      Run r = RUNS.get(run);
      long cut = r.cut0.get();
      if (cut >= 0 && value < N / 2 && value >= cut) {
        r.countedPastCut.set(true);
      }
      return acc + 1;
    }

    @Override
    public Long getResult(Long acc) {
      return acc;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Subtask 0 reads [0, N/2) in small polls, subtask 1 [N/2, N); the first attempt is held and failed as above. */
  static final class HeldSource extends ForwardingSource<Long> {
    private final String run;

    HeldSource(GeneratorSource<Long> inner, String run) {
      super(inner);
      this.run = run;
    }

    @Override
    public SourceReader<Long> createReader(SourceContext context) throws Exception {
      SourceReader<Long> reader = super.createReader(context);
      Run r = RUNS.get(run);
      boolean first = context.subtask() == 0;
      return new ForwardingSourceReader<>(reader) {
        @Override
        public ReadStatus poll(SourceOutput<Long> output, int maxRecords) throws Exception {
          if (r.failures.get() > 0) {
            return reader.poll(output, maxRecords);
          }
          if (first) {
            boolean passed = r.passedHeldBarrier.get();
            if (passed && r.maxCompletedId.get() >= r.heldCheckpoint.get()) {
              r.failures.incrementAndGet();
              throw new Fault.InjectedFault("source subtask 0 after the held checkpoint completed");
            }
            long position = java.nio.ByteBuffer.wrap(reader.snapshotPosition()).getLong();
            // most of its input stays for the held phase, and it must not end before it fails (it would stop polling)
            if (passed || position >= (r.holding.get() ? N / 2 - 1_000 : N / 8)) {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
              return ReadStatus.NOTHING_AVAILABLE;
            }
            return reader.poll(output, Math.min(maxRecords, 16)); // slow enough to be mid-input at every barrier
          }
          if (r.passedHeldBarrier.get()) {
            // past the held barrier: no later checkpoint may complete before subtask 0 fails
            awaitUntil(() -> r.failures.get() > 0, TimeUnit.SECONDS.toNanos(30));
            return ReadStatus.NOTHING_AVAILABLE;
          }
          if (r.completed.get() < 2 && !r.holding.get()
              && java.nio.ByteBuffer.wrap(reader.snapshotPosition()).getLong() >= N / 2 + N / 8) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // it must not end before the held phase
            return ReadStatus.NOTHING_AVAILABLE;
          }
          if (r.completed.get() >= 2 && r.holding.compareAndSet(false, true)) {
            awaitUntil(() -> r.cut0.get() >= 0, TimeUnit.SECONDS.toNanos(30));
            boolean counted = awaitUntil(r.countedPastCut::get, TimeUnit.SECONDS.toNanos(2));
            r.releasedByDeadline.set(!counted);
          }
          return reader.poll(output, maxRecords);
        }

        @Override
        public byte[] snapshotPosition() {
          byte[] position = super.snapshotPosition();
          if (r.failures.get() > 0) {
            return position;
          }
          if (first) {
            int b = r.barriers0.incrementAndGet();
            if (r.passedHeldBarrier.get() && b > r.heldCheckpoint.get()) {
              // the held checkpoint completed and the next one was triggered before this subtask polled again (a
              // loaded machine): fail here, so that no checkpoint after the held one can complete
              r.failures.incrementAndGet();
              throw new Fault.InjectedFault("source subtask 0 at the barrier after the held checkpoint");
            }
            if (r.holding.get() && b > r.barriers1.get() && r.cut0.get() < 0) {
              r.heldCheckpoint.set(b);
              r.cut0.set(java.nio.ByteBuffer.wrap(position).getLong());
            }
          } else {
            r.barriers1.incrementAndGet();
            if (r.cut0.get() >= 0) {
              r.passedHeldBarrier.set(true);
            }
          }
          return position;
        }
      };
    }
  }

  /** Waits (re-checking every millisecond) until {@code condition} holds or the deadline passed; returns whether it held. */
  static boolean awaitUntil(java.util.function.BooleanSupplier condition, long timeoutNanos) {
    long deadline = System.nanoTime() + timeoutNanos;
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline >= 0 || Thread.currentThread().isInterrupted()) {
        return false;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
    return true;
  }

  /** Write-through, replacement semantics: the last count written per window (an upsert's table). */
  static final class LastValueSink implements WriteThroughSink<WindowResult<Long, Long>> {
    final Map<String, Long> last = new ConcurrentHashMap<>();
    private final boolean asksForAlignment;

    LastValueSink(boolean asksForAlignment) {
      this.asksForAlignment = asksForAlignment;
    }

    @Override
    public String name() {
      return "last-value";
    }

    @Override
    public boolean idempotent() {
      return true;
    }

    @Override
    public boolean needsAlignedSnapshots() {
      return asksForAlignment;
    }

    @Override
    public SinkWriter<WindowResult<Long, Long>> createWriter(SinkContext context) {
      return new SinkWriter<>() {
        @Override
        public void write(WindowResult<Long, Long> r) {
          last.put(r.key() + "@" + r.start(), r.value());
        }

        @Override
        public void flush() {}
      };
    }
  }
}
