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
 */
public final class WindowOperator<K, T, A, R> extends KeyedProcessFunction<K, T, WindowResult<K, R>> {
  private static final long serialVersionUID = 1L;

  private final WindowAssigner assigner;
  private final AggregateFunction<T, A, R> fn;
  private final long lateness;
  private final transient Consumer<? super T> lateData;
  /** The side output late records go to, or null. */
  private final dev.onceflow.core.OutputTag<T> lateTag;
  private transient MapState<Long, Slot> windows;
  private final long granularity;

  /** Window state: end (exclusive) and accumulator. */
  record Slot(long end, Object acc) {}

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
  }

  private static final TypeSerializer<Slot> SLOT =
      new TypeSerializer<>() {
        private final TypeSerializer<Object> acc = Serializers.generic();

        @Override
        public void serialize(Slot s, DataOutput out) throws IOException {
          out.writeLong(s.end);
          acc.serialize(s.acc, out);
        }

        @Override
        public Slot deserialize(DataInput in) throws IOException {
          return new Slot(in.readLong(), acc.deserialize(in));
        }
      };

  @Override
  public void open(KeyedStateStore state) {
    windows = state.mapState("windows", Serializers.LONG, SLOT);
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
    Slot slot = windows.get(index);
    A acc = slot == null ? fn.createAccumulator() : (A) slot.acc;
    Slot updated = new Slot(end, fn.add(value, acc));
    windows.put(index, updated);
    if (slot == null) {
      ctx.registerEventTimeTimer(end - 1);
      if (lateness > 0) {
        ctx.registerEventTimeTimer(end - 1 + lateness);
      }
    }
    if (end - 1 <= wm) {
      emit(ctx.currentKey(), start, updated, out); // late firing within the allowed lateness
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
        acc = fn.merge(acc, (A) slot.acc);
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
    Slot slot = new Slot(end, acc);
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
    out.collect(new WindowResult<>(key, start, slot.end, fn.getResult((A) slot.acc)));
  }
}
