package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Periodic triggering of the coordinator, driven by a test standing in for the one subtask. */
class CheckpointCoordinatorTest {
  @TempDir Path tmp;

  /**
   * A checkpoint that takes longer than the interval: the tick that found it pending is not lost, the next checkpoint
   * starts as soon as it completes. Waiting for the following tick instead (up to a whole interval) made a record
   * read after the slow checkpoint's barrier wait two intervals before its output became visible.
   */
  @Test
  void aTickThatFindsACheckpointPendingTriggersTheNextOneWhenItCompletes() throws Exception {
    long intervalMs = 1000;
    BlockingQueue<long[]> triggers = new LinkedBlockingQueue<>(); // {id, nanoTime}
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CheckpointCoordinator c = new CheckpointCoordinator(new CheckpointStorage(tmp, 2), "tick-test",
        Guarantee.EXACTLY_ONCE, List.of("0-0"), 1, Duration.ofMillis(intervalMs), Duration.ofMinutes(1),
        new TriggerOnlyHooks() {
          @Override
          public void triggerSources(long id, boolean finalCheckpoint) {
            triggers.add(new long[] {id, System.nanoTime()});
          }

          @Override
          public void fail(Throwable cause) {
            failure.set(cause);
          }
        });
    c.start();
    try {
      long[] first = triggers.poll(30, TimeUnit.SECONDS);
      assertTrue(first != null, "the first periodic checkpoint was triggered");
      // hold it past the next tick (due one interval after the trigger), then acknowledge
      long holdUntil = first[1] + TimeUnit.MILLISECONDS.toNanos(intervalMs * 3 / 2);
      long[] early = triggers.poll(holdUntil - System.nanoTime(), TimeUnit.NANOSECONDS);
      assertEquals(null, early, "no second checkpoint while the first is pending");
      long acknowledged = System.nanoTime();
      c.acknowledge(first[0], "0-0", new byte[0]);
      long[] second = triggers.poll(30, TimeUnit.SECONDS);
      assertTrue(second != null, "a second checkpoint was triggered");
      long afterAckMs = TimeUnit.NANOSECONDS.toMillis(second[1] - acknowledged);
      // the old fixed-delay ticks would trigger it at the tick after next: ~500 ms after the acknowledgement
      assertTrue(afterAckMs < intervalMs / 4, "the overdue checkpoint started " + afterAckMs + " ms after the slow one"
          + " completed, not at once");
      assertEquals(null, failure.get());
    } finally {
      c.shutdown();
    }
  }
}
