package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.MapState;
import dev.onceflow.core.window.Aggregations;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowOperator;
import dev.onceflow.core.window.WindowResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A window's timers find its slot by time: the timer at end - 1 fires the window, the one at end - 1 + lateness drops
 * it. Every window fires once with its count, and once the watermark passed everything the state is empty (a slot
 * the timers miss would stay in every later checkpoint).
 */
class WindowStatePurgeTest {
  @ParameterizedTest(name = "size {0}, slide {1}, lateness {2}")
  @CsvSource({"100, 100, 0", "100, 100, 50", "100, 100, 100", "100, 30, 0", "100, 30, 45", "100, 25, 100"})
  void everyWindowFiresOnceAndLeavesNoState(long size, long slide, long lateness) throws Exception {
    WindowAssigner assigner = size == slide ? WindowAssigner.tumbling(Duration.ofMillis(size))
        : WindowAssigner.sliding(Duration.ofMillis(size), Duration.ofMillis(slide));
    WindowOperator<Long, Long, Long, Long> op =
        new WindowOperator<>(assigner, Aggregations.count(), lateness, (dev.onceflow.core.OutputTag<Long>) null);
    HeapKeyedState state = new HeapKeyedState(128);
    op.open(state);
    WindowContext ctx = new WindowContext(state);
    Map<List<Long>, Long> expected = new TreeMap<>(WindowStatePurgeTest::compare);
    List<WindowResult<Long, Long>> out = new ArrayList<>();
    for (long ts = 0; ts < 700; ts += 7) {
      long key = ts % 5;
      state.setCurrentKey(key);
      ctx.ts = ts;
      op.processElement(1L, ctx, out::add);
      for (long start = Math.floorDiv(ts, slide) * slide; start > ts - size; start -= slide) {
        expected.merge(List.of(key, start), 1L, Long::sum);
      }
    }
    while (!ctx.timers.isEmpty()) { // the watermark passes every timer, in time order
      var timer = ctx.timers.pollFirstEntry();
      ctx.watermark = timer.getKey();
      for (long key : timer.getValue()) {
        state.setCurrentKey(key);
        op.onTimer(timer.getKey(), ctx, out::add);
      }
    }
    Map<List<Long>, Long> fired = new TreeMap<>(WindowStatePurgeTest::compare);
    for (WindowResult<Long, Long> w : out) {
      assertEquals(w.start() + size, w.end());
      assertEquals(null, fired.put(List.of(w.key(), w.start()), w.value()), "fired twice: " + w);
    }
    assertEquals(expected, fired);

    HeapKeyedState restored = new HeapKeyedState(128);
    dev.onceflow.core.serialization.TypeSerializer<Object> accs = Serializers.generic();
    MapState<Long, List<Object>> windows = restored.mapState("windows", Serializers.LONG,
        new dev.onceflow.core.serialization.TypeSerializer<List<Object>>() { // a slot: end, accumulator
          @Override
          public void serialize(List<Object> v, java.io.DataOutput out) {
            throw new UnsupportedOperationException("read only");
          }

          @Override
          public List<Object> deserialize(java.io.DataInput in) throws java.io.IOException {
            return List.of(in.readLong(), accs.deserialize(in));
          }
        });
    restored.restore(state.snapshot().call(), "test", kg -> true);
    for (long key = 0; key < 5; key++) {
      restored.setCurrentKey(key);
      assertEquals(Map.of(), windows.entries(), "windows of key " + key + " left in the state");
    }
  }

  private static int compare(List<Long> a, List<Long> b) {
    int c = Long.compare(a.get(0), b.get(0));
    return c != 0 ? c : Long.compare(a.get(1), b.get(1));
  }
}
