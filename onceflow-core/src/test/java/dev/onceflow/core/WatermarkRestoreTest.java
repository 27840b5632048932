package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
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
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.FaultTestPipelines;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Watermarks across a restore, end to end in one JVM: a source subtask that read all its input before the restored
 * checkpoint reads nothing after the restore, yet it must not hold back the watermark (it is at the end of its input).
 * Subtask 1 reads its half at once and ends; subtask 0 waits for a checkpoint taken after that, then reads on, fires
 * windows and fails. Under AT_MOST_ONCE the windows that fired before the failure must fire again during the
 * suppressed replay, not live after it; under the other guarantees the windows must fire while subtask 0 reads, not
 * only at end of input.
 */
class WatermarkRestoreTest {
  static final long N = 20_000;
  static final long KEYS = 4;

  @TempDir Path tmp;

  @Test
  void atMostOnceWindowsThatFiredBeforeTheFailureDoNotFireAgainWhenTheOtherSubtaskHadEnded() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    SecondEndsFirst<Long> source = new SecondEndsFirst<>(
        GeneratorSource.of(N, i -> i).withTimestamps(i -> i / 10), checkpoints, 20, Long.MAX_VALUE);
    CollectingSink<WindowResult<Long, Long>> sink = new CollectingSink<>();
    source.observed = sink;
    FaultTestPipelines.pipeline("amo-ended-subtask", Guarantee.AT_MOST_ONCE, tmp.resolve("ckpt"), checkpoints)
        .watermarkInterval(Duration.ZERO)
        .source(source, WatermarkStrategy.monotonous())
        .keyBy(i -> i % KEYS)
        .window(WindowAssigner.tumbling(Duration.ofMillis(10)))
        .count()
        .sinkTo(sink)
        .start()
        .join();

    assertEquals(1, source.failures(), "the injected failure happened");
    assertTrue(checkpoints.restores() >= 1, "the restart restored a checkpoint");
    assertTrue(source.windowsBeforeFailure.get() > 0, "windows fired before the failure");
    Map<String, Integer> perWindow = new HashMap<>();
    for (WindowResult<Long, Long> r : sink.values()) {
      perWindow.merge(r.key() + "@" + r.start(), 1, Integer::sum);
    }
    perWindow.forEach((w, count) -> assertEquals(1, count, "window " + w + " output " + count + " times"));
    // at-most-once may lose a little around the failure, not everything
    assertTrue(perWindow.size() > KEYS * N / 100 * 3 / 4, perWindow.size() + " windows");
  }

  /**
   * After a restore the subtask that had ended must not hold back the watermark: windows fire while subtask 0 still
   * reads, at the place they fired before (here: before subtask 0 goes on past a pause), not only at end of input.
   */
  @ParameterizedTest
  @EnumSource(value = Guarantee.class, names = {"AT_LEAST_ONCE", "EXACTLY_ONCE"})
  void afterARestoreWindowsFireWhileInputRemainsWhenTheOtherSubtaskHadEnded(Guarantee guarantee) throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    SecondEndsFirst<Long> source = new SecondEndsFirst<>(
        GeneratorSource.of(N, i -> i).withTimestamps(i -> i / 10), checkpoints, 20, 2_000);
    source.holdSecond = false;
    Path out = tmp.resolve("out");
    source.outputUpTo = () -> {
      long max = Long.MIN_VALUE;
      try {
        for (String line : FileSink.readCommitted(out)) {
          max = Math.max(max, Long.parseLong(line.substring(line.indexOf('@') + 1, line.indexOf(':'))));
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
      return max;
    };
    FaultTestPipelines.pipeline("restore-ended-" + guarantee, guarantee, tmp.resolve("ckpt"), checkpoints)
        .source(source, WatermarkStrategy.monotonous())
        .keyBy(i -> i % KEYS)
        .window(WindowAssigner.tumbling(Duration.ofMillis(10)))
        .count()
        .map(r -> r.key() + "@" + r.start() + ":" + r.value())
        .sinkTo(FileSink.of(out, Encoder.<String>utf8String()))
        .start()
        .join();

    assertEquals(1, source.failures(), "the injected failure happened");
    assertTrue(checkpoints.restores() >= 1, "the restart restored a checkpoint");
    assertFalse(source.pausedAndTimedOut, "no window fired in 10 s while subtask 0 paused after the restore: the ended "
        + "subtask held the watermark back");
    Map<String, Long> counts = new HashMap<>();
    for (String line : FileSink.readCommitted(out)) {
      long count = Long.parseLong(line.substring(line.indexOf(':') + 1));
      String window = line.substring(0, line.indexOf(':'));
      Long before = counts.get(window);
      counts.merge(window, count, Math::max);
      if (guarantee == Guarantee.EXACTLY_ONCE) {
        assertEquals(null, before, "window " + line + " output twice");
      }
    }
    // 10 ms windows over timestamps i / 10: 100 records each, a quarter of them per key
    assertEquals(N / 100 * KEYS, counts.size(), "every window output");
    // at-least-once may count a replayed record twice (unaligned barriers), never miss one
    counts.forEach((w, c) -> assertTrue(guarantee == Guarantee.EXACTLY_ONCE ? c == 100 / KEYS : c >= 100 / KEYS,
        "count of " + w + ": " + c));
  }

  /**
   * Decorates a source of parallelism 2: subtask 1 reads everything at once; subtask 0 waits until subtask 1 ended and
   * a checkpoint completed after that, then reads and, in the first attempt, fails after {@code failAfterPolls} polls.
   * After the restart subtask 0 pauses at index {@code pauseAt} until {@code released} is set (or 10 s passed).
   */
  static final class SecondEndsFirst<T> extends ForwardingSource<T> {
    final CheckpointCounter checkpoints;
    final int failAfterPolls;
    final long pauseAt;
    final AtomicBoolean secondEnded = new AtomicBoolean();
    final AtomicLong checkpointsAtEnd = new AtomicLong(Long.MAX_VALUE);
    final AtomicBoolean gateOpen = new AtomicBoolean();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong windowsBeforeFailure = new AtomicLong();
    final AtomicLong firstPollsAfterRestart = new AtomicLong();
    volatile boolean secondPolledAfterRestart;
    volatile long secondWaitStarted;
    volatile boolean released;
    volatile boolean pausedAndTimedOut;
    volatile long pauseTimestamp = Long.MIN_VALUE;
    boolean holdSecond = true;
    CollectingSink<?> observed;
    /** After the restart: the largest window start output so far (the pause ends once it covers the pause point). */
    java.util.function.LongSupplier outputUpTo;

    SecondEndsFirst(Source<T> inner, CheckpointCounter checkpoints, int failAfterPolls, long pauseAt) {
      super(inner);
      this.checkpoints = checkpoints;
      this.failAfterPolls = failAfterPolls;
      this.pauseAt = pauseAt;
    }

    long failures() {
      return failed.get();
    }

    @Override
    public SourceReader<T> createReader(SourceContext context) throws Exception {
      SourceReader<T> r = super.createReader(context);
      boolean first = context.subtask() == 0;
      return new ForwardingSourceReader<>(r) {
        private int polls;
        private long emitted;
        private long pauseStarted;
        private long gateOpenedAt;

        @Override
        public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
          if (!first) {
            if (holdSecond && failed.get() > 0 && !secondPolledAfterRestart) {
              // Hold subtask 1's first read after the restart until subtask 0 is live again: only what subtask 1 emits
              // before its ReplayEnd (sent before this poll) can make the replayed windows fire in time. Nothing
              // available meanwhile, so the subtask still passes barriers.
              if (secondWaitStarted == 0) {
                secondWaitStarted = System.nanoTime();
              }
              if (firstPollsAfterRestart.get() < failAfterPolls + 5
                  && System.nanoTime() - secondWaitStarted < TimeUnit.SECONDS.toNanos(10)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // re-check the condition
                return ReadStatus.NOTHING_AVAILABLE;
              }
              secondPolledAfterRestart = true;
            }
            ReadStatus s = r.poll(output, maxRecords);
            if (s == ReadStatus.END_OF_INPUT && secondEnded.compareAndSet(false, true)) {
              checkpointsAtEnd.set(checkpoints.completed());
            }
            return s;
          }
          if (!gateOpen.get()) {
            // a checkpoint that completed strictly after subtask 1 ended holds its end position
            if (!secondEnded.get() || checkpoints.completed() < checkpointsAtEnd.get() + 2) {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
              return ReadStatus.NOTHING_AVAILABLE;
            }
            gateOpen.set(true);
            gateOpenedAt = System.nanoTime();
          }
          if (failed.get() > 0) {
            firstPollsAfterRestart.incrementAndGet();
          }
          if (failed.get() == 0 && polls >= failAfterPolls && observed != null && observed.values().isEmpty()
              && System.nanoTime() - gateOpenedAt < TimeUnit.SECONDS.toNanos(10)) {
            // At-most-once reads ahead of what it processes (the reservation): the records read so far may not be
            // processed yet. Nothing more until a window is out, so the failure comes after windows fired.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // re-check the condition
            return ReadStatus.NOTHING_AVAILABLE;
          }
          if (failed.get() == 0 && ++polls > failAfterPolls) {
            windowsBeforeFailure.set(observed == null ? 0 : observed.values().size());
            failed.incrementAndGet();
            throw new Fault.InjectedFault("source read after the other subtask ended");
          }
          if (failed.get() > 0 && emitted >= pauseAt && !released && !pausedAndTimedOut) {
            if (pauseStarted == 0) {
              pauseStarted = System.nanoTime();
            }
            // every 10 ms window ending 20 ms before the last timestamp read must have fired by now
            if (outputUpTo != null && outputUpTo.getAsLong() >= pauseTimestamp - 20) {
              released = true;
            }
            if (System.nanoTime() - pauseStarted < TimeUnit.SECONDS.toNanos(10)) {
              LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // re-check the release condition
              return ReadStatus.NOTHING_AVAILABLE;
            }
            pausedAndTimedOut = true;
            released = true;
          }
          ReadStatus s = r.poll(new SourceOutput<>() {
            @Override
            public void collect(T record) {
              emitted++;
              output.collect(record);
            }

            @Override
            public void collect(T record, long timestamp) {
              emitted++;
              pauseTimestamp = timestamp;
              output.collect(record, timestamp);
            }

            @Override
            public void decodeFailed(String what, Exception cause) {
              output.decodeFailed(what, cause);
            }
          }, maxRecords);
          return s;
        }
      };
    }
  }
}
