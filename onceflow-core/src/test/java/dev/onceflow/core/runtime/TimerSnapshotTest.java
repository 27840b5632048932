package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Collector;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * A keyed operator's timers in its checkpoints. A barrier serialises only the times changed since the previous one and
 * reuses that snapshot's bytes for the others: after every mix of registrations and deletions between barriers, some
 * barriers' snapshots abandoned before they were written, and more than 32 times changed at once, each written
 * snapshot restores the timers of its barrier (each fires once, per time in registration order).
 */
class TimerSnapshotTest {
  /** Register (or, if {@code delete}, delete) a timer at {@code time} for {@code key}. */
  record Op(int key, long time, boolean delete) {}

  /** A function that does what each record says and reports the timers that fire. */
  static final class Timers extends KeyedProcessFunction<Object, Object, Object> {
    final transient List<String> fired = new ArrayList<>();

    @Override
    public void processElement(Object value, Context<Object> ctx, Collector<Object> out) {
      Op op = (Op) value;
      if (op.delete()) {
        ctx.deleteEventTimeTimer(op.time());
      } else {
        ctx.registerEventTimeTimer(op.time());
      }
    }

    @Override
    public void onTimer(long timestamp, Context<Object> ctx, Collector<Object> out) {
      fired.add(timestamp + "/" + ctx.currentKey());
    }
  }

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = net.jqwik.api.Combinators.combine(
            Arbitraries.integers().between(0, 20),
            Arbitraries.longs().between(0, 70),
            Arbitraries.integers().between(0, 3).map(i -> i == 0))
        .as(Op::new);
    return op.list().ofMinSize(0).ofMaxSize(300);
  }

  @Provide
  Arbitrary<List<Integer>> barriers() {
    return Arbitraries.integers().between(0, 300).list().ofMinSize(1).ofMaxSize(12);
  }

  @Property(tries = 200)
  void eachWrittenSnapshotRestoresTheTimersOfItsBarrier(
      @ForAll("ops") List<Op> ops, @ForAll("barriers") List<Integer> barriers) throws Exception {
    Timers f = new Timers();
    KeyedProcessOp op = open(f);
    TreeMap<Long, LinkedHashSet<Integer>> model = new TreeMap<>();
    java.util.Set<Integer> at = new java.util.HashSet<>();
    for (int b : barriers) {
      at.add(b % (ops.size() + 1));
    }
    long id = 0;
    for (int i = 0; i <= ops.size(); i++) {
      if (at.contains(i)) {
        Map<String, Callable<byte[]>> sections = new HashMap<>();
        op.barrier(new CheckpointBarrier(++id, false), sections);
        if (i % 3 != 2) { // else abandoned: never written
          Timers g = new Timers();
          KeyedProcessOp restored = open(g);
          restored.restore(List.of(Map.of("op.timers", sections.get("op.timers").call())));
          restored.watermark(Long.MAX_VALUE);
          assertEquals(firing(model), g.fired, "snapshot at barrier " + id);
        }
      }
      if (i == ops.size()) {
        break;
      }
      Op o = ops.get(i);
      op.accept(o, o.key(), 0);
      if (o.delete()) {
        LinkedHashSet<Integer> keys = model.get(o.time());
        if (keys != null && keys.remove(o.key()) && keys.isEmpty()) {
          model.remove(o.time());
        }
      } else {
        model.computeIfAbsent(o.time(), t -> new LinkedHashSet<>()).add(o.key());
      }
    }
  }

  private static KeyedProcessOp open(Timers f) throws Exception {
    @SuppressWarnings("unchecked")
    KeyedProcessOp op = new KeyedProcessOp("op", (KeyedProcessFunction<Object, Object, Object>) (Object) f);
    op.open(new TaskContext("timers", 0, 1, 16, Guarantee.EXACTLY_ONCE, 64, new CancelFlag()));
    return op;
  }

  private static List<String> firing(TreeMap<Long, LinkedHashSet<Integer>> model) {
    List<String> out = new ArrayList<>();
    model.forEach((time, keys) -> keys.forEach(k -> out.add(time + "/" + k)));
    return out;
  }
}
