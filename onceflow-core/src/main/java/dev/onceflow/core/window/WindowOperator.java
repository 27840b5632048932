package dev.onceflow.core.window;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.serialization.TypeSerializer;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.MapState;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Event-time window aggregation as a keyed process function (use {@link dev.onceflow.core.KeyedStream#window}). State
 * per key: window start -> (end, accumulator), in keyed MapState, so it is checkpointed and restored like any keyed
 * state. Windows are stored under start / granularity (size for tumbling, slide for sliding, 1 for sessions): starts
 * are multiples of the size, and such Long keys collide in a HashMap, consecutive indexes do not. A window fires when the watermark reaches its last millisecond (end - 1); with allowed lateness L it is kept
 * until the watermark reaches end - 1 + L, and each late record within L re-fires it with the updated result. A
 * record whose windows are all past their lateness is late data: it goes to the late-data side output, if any.
 *
 * <p>Per record of a tumbling or sliding window: one lookup of the (key, window index) slot in namespaced state
 * ({@link dev.onceflow.core.state.internal.NamespacedState}, checkpointed as the same MapState), updated in place (no
 * put, no new slot): a slot written since the latest snapshot is mutated in place, a slot from before it (the snapshot,
 * serialised later on the checkpoint I/O thread, may reference it) is replaced by a copy first ({@link
 * dev.onceflow.core.state.internal.SnapshotEpoch}). The built-in count keeps its count in a {@code long} of the slot
 * (no boxed Long per record). A timer names its windows by time (the window ending at it, the one whose lateness
 * ends at it), so no timer walks a key's windows. Session windows merge, so they keep a MapState per key and walk it.
 * The checkpointed bytes are those of (end, accumulator) as before.
 */
public final class WindowOperator<K, T, A, R> extends KeyedProcessFunction<K, T, WindowResult<K, R>> {
  private static final long serialVersionUID = 1L;

  private final WindowAssigner assigner;
  private final AggregateFunction<T, A, R> fn;
  private final long lateness;
  private final transient Consumer<? super T> lateData;
  /** The side output late records go to, or null. */
  private final dev.onceflow.core.OutputTag<T> lateTag;
  /** Session windows: start -> slot, walked to merge. */
  private transient MapState<Long, Slot> windows;
  /** Tumbling and sliding windows: window index (start / granularity) -> slot. */
  private transient dev.onceflow.core.state.internal.NamespacedState<Slot> slots;
  private final long granularity;
  /** The built-in count: the accumulator is {@link Slot#count}, not {@link Slot#acc}. */
  private final boolean counting;
  /** Where snapshots are counted; null if the store does not say (then every update copies its slot). */
  private transient dev.onceflow.core.state.internal.SnapshotEpoch epochs;

  /**
   * Window state: end (exclusive) and accumulator; mutable, but only while {@link #epoch} is the store's current
   * snapshot epoch (copy-on-write, see the class comment).
   */
  static final class Slot {
    final long end;
    /** The accumulator, unless the operator counts. */
    Object acc;
    /** The accumulator of the built-in count. */
    long count;
    /** The snapshot epoch it was written in; -1 = restored, unknown. */
    final long epoch;

    Slot(long end, long epoch) {
      this.end = end;
      this.epoch = epoch;
    }

    Slot copy(long newEpoch) {
      Slot c = new Slot(end, newEpoch);
      c.acc = acc;
      c.count = count;
      return c;
    }
  }

  private Object acc(Slot s) {
    return counting ? (Object) s.count : s.acc;
  }

  private Slot slot(long end, Object acc) {
    return slot(end, acc, epoch());
  }

  private Slot slot(long end, Object acc, long epoch) {
    Slot s = new Slot(end, epoch);
    if (counting) {
      s.count = (Long) acc;
    } else {
      s.acc = acc;
    }
    return s;
  }

  private long epoch() {
    return epochs == null ? -2 : epochs.snapshotEpoch();
  }

  /**
   * Creates the operator; {@code lateData} may be null (late records are then only dropped).
   *
   * @deprecated a late-data callback runs outside the sinks' transactions; use the constructor with an {@link
   *     dev.onceflow.core.OutputTag}
   */
  @Deprecated
  public WindowOperator(
      WindowAssigner assigner, AggregateFunction<T, A, R> fn, long allowedLatenessMillis, Consumer<? super T> lateData) {
    this(assigner, fn, allowedLatenessMillis, lateData, null);
  }

  /** Creates the operator; late records go to the side output {@code lateTag}, or are dropped if it is null. */
  public WindowOperator(
      WindowAssigner assigner, AggregateFunction<T, A, R> fn, long allowedLatenessMillis,
      dev.onceflow.core.OutputTag<T> lateTag) {
    this(assigner, fn, allowedLatenessMillis, null, lateTag);
  }

  private WindowOperator(WindowAssigner assigner, AggregateFunction<T, A, R> fn, long allowedLatenessMillis,
      Consumer<? super T> lateData, dev.onceflow.core.OutputTag<T> lateTag) {
    this.assigner = assigner;
    this.fn = fn;
    this.lateness = allowedLatenessMillis;
    this.lateData = lateData;
    this.lateTag = lateTag;
    this.granularity = assigner instanceof WindowAssigner.Tumbling t ? t.sizeMillis()
        : assigner instanceof WindowAssigner.Sliding s ? s.slideMillis() : 1;
    this.counting = fn instanceof Aggregations.Count;
  }

  /** Slot format: end (long), then the accumulator with the generic serializer (for count: a Long). */
  private TypeSerializer<Slot> slotSerializer() {
    TypeSerializer<Object> accs = Serializers.generic();
    return new TypeSerializer<>() {
      @Override
      public void serialize(Slot s, DataOutput out) throws IOException {
        out.writeLong(s.end);
        accs.serialize(acc(s), out);
      }

      @Override
      public Slot deserialize(DataInput in) throws IOException {
        long end = in.readLong();
        Object acc = accs.deserialize(in);
        return slot(end, acc, -1); // restored: its epoch is unknown, so its first update copies it
      }
    };
  }

  @Override
  public void open(KeyedStateStore state) {
    if (assigner instanceof WindowAssigner.Session) {
      windows = state.mapState("windows", Serializers.LONG, slotSerializer());
    } else {
      slots = dev.onceflow.core.state.internal.NamespacedState.of(state, "windows", slotSerializer());
    }
    epochs = state instanceof dev.onceflow.core.state.internal.SnapshotEpoch e ? e : null;
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement(T value, Context<K> ctx, Collector<WindowResult<K, R>> out) {
    long ts = ctx.timestamp();
    if (ts == Long.MIN_VALUE) {
      throw new IllegalStateException(
          "a record without event timestamp reached an event-time window: give the source timestamps "
              + "(e.g. GeneratorSource.withTimestamps, LogSource) and a WatermarkStrategy");
    }
    long wm = ctx.currentWatermark();
    if (assigner instanceof WindowAssigner.Tumbling t) {
      long start = Math.floorDiv(ts, t.sizeMillis()) * t.sizeMillis();
      if (!addTo(start, start + t.sizeMillis(), value, wm, ctx, out)) {
        late(value, ctx);
      }
    } else if (assigner instanceof WindowAssigner.Sliding s) {
      boolean any = false;
      long last = Math.floorDiv(ts, s.slideMillis()) * s.slideMillis();
      for (long start = last; start > ts - s.sizeMillis(); start -= s.slideMillis()) {
        any |= addTo(start, start + s.sizeMillis(), value, wm, ctx, out);
      }
      if (!any) {
        late(value, ctx);
      }
    } else {
      session(((WindowAssigner.Session) assigner).gapMillis(), value, ts, wm, ctx, out);
    }
  }

  private void late(T value, Context<K> ctx) {
    if (lateTag != null) {
      ctx.output(lateTag, value);
    }
    if (lateData != null) {
      lateData.accept(value);
    }
  }

  @SuppressWarnings("unchecked")
  private boolean addTo(long start, long end, T value, long wm, Context<K> ctx,
      Collector<WindowResult<K, R>> out) {
    if (end - 1 + lateness <= wm && wm != Long.MIN_VALUE) {
      return false; // past its allowed lateness: dropped
    }
    long index = start / granularity;
    Slot slot = slots.get(index);
    long epoch = epoch();
    if (slot == null) {
      slot = slot(end, fn.createAccumulator());
      slots.put(index, slot);
      ctx.registerEventTimeTimer(end - 1);
      if (lateness > 0) {
        ctx.registerEventTimeTimer(end - 1 + lateness);
      }
    } else if (slot.epoch != epoch || epoch == -2) {
      slot = slot.copy(epoch); // the latest snapshot may reference it: never mutate what a snapshot will serialise
      slots.put(index, slot);
    }
    if (counting) {
      slot.count++;
    } else {
      slot.acc = fn.add(value, (A) slot.acc);
    }
    if (end - 1 <= wm) {
      emit(ctx.currentKey(), start, slot, out); // late firing within the allowed lateness
    }
    return true;
  }

  @SuppressWarnings("unchecked")
  private void session(long gap, T value, long ts, long wm, Context<K> ctx, Collector<WindowResult<K, R>> out) {
    long start = ts;
    long end = ts + gap;
    if (end - 1 + lateness <= wm && wm != Long.MIN_VALUE) {
      late(value, ctx);
      return;
    }
    A acc = fn.add(value, fn.createAccumulator());
    List<Long> merged = new ArrayList<>();
    for (Map.Entry<Long, Slot> e : windows.entries().entrySet()) {
      long s = e.getKey();
      Slot slot = e.getValue();
      if (s < end && slot.end > start) {
        merged.add(s);
        start = Math.min(start, s);
        end = Math.max(end, slot.end);
        acc = fn.merge(acc, (A) acc(slot));
      }
    }
    for (long s : merged) {
      Slot old = windows.get(s);
      ctx.deleteEventTimeTimer(old.end - 1);
      if (lateness > 0) {
        ctx.deleteEventTimeTimer(old.end - 1 + lateness);
      }
      windows.remove(s);
    }
    Slot slot = slot(end, acc);
    windows.put(start, slot);
    ctx.registerEventTimeTimer(end - 1);
    if (lateness > 0) {
      ctx.registerEventTimeTimer(end - 1 + lateness);
    }
    if (end - 1 <= wm) {
      emit(ctx.currentKey(), start, slot, out);
    }
  }

  @Override
  public void onTimer(long time, Context<K> ctx, Collector<WindowResult<K, R>> out) {
    if (slots == null) {
      onSessionTimer(time, ctx, out);
      return;
    }
    // the timers of a window are at end - 1 (fire) and end - 1 + lateness (purge; the same timer without lateness)
    long size = assigner instanceof WindowAssigner.Tumbling t ? t.sizeMillis()
        : ((WindowAssigner.Sliding) assigner).sizeMillis();
    long firing = Math.floorDiv(time + 1 - size, granularity);
    Slot slot = slots.get(firing);
    if (slot != null && slot.end - 1 == time) {
      emit(ctx.currentKey(), firing * granularity, slot, out);
      if (lateness == 0) {
        slots.remove(firing);
      }
    }
    if (lateness > 0) {
      long purged = Math.floorDiv(time + 1 - lateness - size, granularity);
      Slot old = slots.get(purged);
      if (old != null && old.end - 1 + lateness == time) {
        slots.remove(purged);
      }
    }
  }

  private void onSessionTimer(long time, Context<K> ctx, Collector<WindowResult<K, R>> out) {
    List<Long> purge = new ArrayList<>();
    for (Map.Entry<Long, Slot> e : windows.entries().entrySet()) {
      Slot slot = e.getValue();
      if (slot.end - 1 == time) {
        emit(ctx.currentKey(), e.getKey() * granularity, slot, out);
      }
      if (slot.end - 1 + lateness <= time) {
        purge.add(e.getKey());
      }
    }
    for (long s : purge) {
      windows.remove(s);
    }
  }

  @SuppressWarnings("unchecked")
  private void emit(K key, long start, Slot slot, Collector<WindowResult<K, R>> out) {
    out.collect(new WindowResult<>(key, start, slot.end, fn.getResult((A) acc(slot))));
  }
}
