package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.Collector;
import dev.onceflow.core.window.AggregateFunction;
import dev.onceflow.core.window.Aggregations;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowOperator;
import dev.onceflow.core.window.WindowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

/**
 * The window operator updates its slots in place between snapshots (copy-on-write): a snapshot's bytes, serialised
 * after the task went on updating the same windows, must hold the counts of the barrier, not later ones.
 */
class WindowSlotCopyOnWriteTest {
  private static final Collector<WindowResult<Long, Long>> NONE = r -> {};

  private static void add(WindowOperator<Long, Long, Long, Long> op, WindowContext ctx, long key, int records, long ts)
      throws Exception {
    for (int i = 0; i < records; i++) {
      ctx.state.setCurrentKey(key);
      ctx.ts = ts + i;
      op.processElement(1L, ctx, NONE);
    }
  }

  /** Key -> the count of window [0, 100) after restoring {@code bytes} into a fresh operator. */
  private static Map<Long, Long> restoredCounts(AggregateFunction<Long, Long, Long> fn, byte[] bytes, long... keys)
      throws Exception {
    HeapKeyedState r = new HeapKeyedState(128);
    WindowOperator<Long, Long, Long, Long> op = operator(fn);
    op.open(r);
    r.restore(bytes, "test", kg -> true);
    return fire(op, r, keys);
  }

  private static Map<Long, Long> fire(WindowOperator<Long, Long, Long, Long> op, HeapKeyedState s, long... keys)
      throws Exception {
    WindowContext ctx = new WindowContext(s);
    List<WindowResult<Long, Long>> out = new ArrayList<>();
    for (long k : keys) {
      s.setCurrentKey(k);
      op.onTimer(99, ctx, out::add);
    }
    Map<Long, Long> m = new TreeMap<>();
    for (WindowResult<Long, Long> w : out) {
      assertEquals(0, w.start());
      m.put(w.key(), w.value());
    }
    return m;
  }

  private static WindowOperator<Long, Long, Long, Long> operator(AggregateFunction<Long, Long, Long> fn) {
    return new WindowOperator<>(WindowAssigner.tumbling(Duration.ofMillis(100)), fn, 0,
        (dev.onceflow.core.OutputTag<Long>) null);
  }

  private static void updatesAfterTheBarrierStayOutOfItsSnapshot(AggregateFunction<Long, Long, Long> fn)
      throws Exception {
    HeapKeyedState s = new HeapKeyedState(128);
    WindowOperator<Long, Long, Long, Long> op = operator(fn);
    op.open(s);
    WindowContext ctx = new WindowContext(s);
    add(op, ctx, 1, 5, 10);
    add(op, ctx, 2, 3, 10);
    Callable<byte[]> first = s.snapshot();
    add(op, ctx, 1, 4, 20); // after the barrier, same windows: must not reach the first snapshot's bytes
    add(op, ctx, 2, 1, 20);
    add(op, ctx, 3, 2, 20); // a window created after the barrier
    Callable<byte[]> second = s.snapshot();
    add(op, ctx, 1, 60, 30); // after the second barrier: slots written in the second epoch are copied again
    add(op, ctx, 3, 60, 30);
    assertEquals(Map.of(1L, 5L, 2L, 3L), restoredCounts(fn, first.call(), 1, 2, 3),
        "first snapshot, serialised after later updates");
    assertEquals(Map.of(1L, 9L, 2L, 4L, 3L, 2L), restoredCounts(fn, second.call(), 1, 2, 3),
        "second snapshot, serialised after later updates");
    assertEquals(Map.of(1L, 69L, 2L, 4L, 3L, 62L), fire(op, s, 1, 2, 3), "the live state");
  }

  @Test
  void countUpdatedAfterTheBarrierStaysOutOfTheSnapshot() throws Exception {
    updatesAfterTheBarrierStayOutOfItsSnapshot(Aggregations.count());
  }

  @Test
  void userAccumulatorUpdatedAfterTheBarrierStaysOutOfTheSnapshot() throws Exception {
    updatesAfterTheBarrierStayOutOfItsSnapshot(Aggregations.reduce(Long::sum));
  }
}
