package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.ListState;
import dev.onceflow.core.state.MapState;
import dev.onceflow.core.state.ValueState;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;

class HeapKeyedStateTest {
  record Point(int x, int y) implements java.io.Serializable {}

  @Test
  void snapshotIsACopyAtBarrierTimeAndRestoresEveryKind() throws Exception {
    HeapKeyedState s = new HeapKeyedState(128);
    ValueState<Long> v = s.valueState("v", Serializers.LONG);
    MapState<String, Point> m = s.mapState("m");
    ListState<String> l = s.listState("l", Serializers.STRING);
    for (long k = 0; k < 50; k++) {
      s.setCurrentKey(k);
      v.update(k * 10);
      m.put("p", new Point((int) k, 1));
      l.add("a" + k);
      l.add("b" + k);
    }
    Callable<byte[]> snap = s.snapshot();
    s.setCurrentKey(7L);
    v.update(-1L); // after the barrier: must not leak into the snapshot
    l.add("late");
    m.remove("p");
    byte[] bytes = snap.call();

    HeapKeyedState r = new HeapKeyedState(128);
    ValueState<Long> v2 = r.valueState("v", Serializers.LONG);
    MapState<String, Point> m2 = r.mapState("m");
    ListState<String> l2 = r.listState("l", Serializers.STRING);
    r.restore(bytes, "test", kg -> true);
    for (long k = 0; k < 50; k++) {
      r.setCurrentKey(k);
      assertEquals(k * 10, v2.value());
      assertEquals(Map.of("p", new Point((int) k, 1)), m2.entries());
      assertEquals(List.of("a" + k, "b" + k), l2.get());
    }
    r.setCurrentKey(99L);
    assertNull(v2.value());
  }

  @Test
  void ttlValueExpiresAfterItsProcessingTimeTtlAndIsDroppedFromSnapshots() throws Exception {
    HeapKeyedState s = new HeapKeyedState(128);
    ValueState<String> v = s.valueState("v", Serializers.STRING, java.time.Duration.ofMillis(50));
    s.setCurrentKey("k");
    long written = System.currentTimeMillis();
    v.update("x");
    long afterWrite = System.currentTimeMillis(); // the stored write time lies in [written, afterWrite]
    String read = v.value();
    if (System.currentTimeMillis() - written < 50) {
      assertEquals("x", read);
    }
    HeapKeyedState fresh = new HeapKeyedState(128);
    ValueState<String> f = fresh.valueState("v", Serializers.STRING, java.time.Duration.ofMillis(50));
    fresh.restore(s.snapshot().call(), "test", kg -> true);
    fresh.setCurrentKey("k");
    while (System.currentTimeMillis() - afterWrite < 50) {
      Thread.onSpinWait(); // wait for the clock to pass the ttl
    }
    assertNull(v.value());
    assertNull(f.value());
    HeapKeyedState after = new HeapKeyedState(128);
    ValueState<String> a = after.valueState("v", Serializers.STRING, java.time.Duration.ofDays(1));
    after.restore(fresh.snapshot().call(), "test", kg -> true);
    after.setCurrentKey("k");
    assertNull(a.value(), "expired values are not written to snapshots");
  }
}
