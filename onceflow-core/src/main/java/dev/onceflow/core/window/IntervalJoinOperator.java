package dev.onceflow.core.window;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedCoProcessFunction;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.ProcessJoinFunction;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.MapState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The event-time interval join as a keyed co-process function (use {@link
 * dev.onceflow.core.KeyedStream#intervalJoin}): input 1 is the left side, input 2 the right; a pair (l, r) of one key
 * is joined when {@code l.ts + lower <= r.ts <= l.ts + upper}. State per key: per side, timestamp -> records (keyed
 * MapState, so checkpointed like any keyed state). A left record can meet a right one until the watermark passes
 * {@code l.ts + max(upper, 0)}, a right one until {@code r.ts - min(lower, 0)}: an event-time timer then drops it.
 * Each pair is emitted by whichever of its two records arrives second, so exactly once per pair whatever the order.
 */
public final class IntervalJoinOperator<K, L, R, O> extends KeyedCoProcessFunction<K, L, R, O> {
  private static final long serialVersionUID = 1L;

  private final long lower;
  private final long upper;
  private final ProcessJoinFunction<L, R, O> fn;
  private transient MapState<Long, List<Object>> lefts;
  private transient MapState<Long, List<Object>> rights;

  /** Joins pairs with {@code lower <= r.ts - l.ts <= upper} through {@code fn}. */
  public IntervalJoinOperator(long lower, long upper, ProcessJoinFunction<L, R, O> fn) {
    this.lower = lower;
    this.upper = upper;
    this.fn = fn;
  }

  @Override
  public void open(KeyedStateStore state) {
    lefts = state.mapState("left");
    rights = state.mapState("right");
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement1(L value, KeyedProcessFunction.Context<K> ctx, Collector<O> out) throws Exception {
    long ts = timestamp(ctx);
    add(lefts, ts, value);
    for (Map.Entry<Long, List<Object>> e : rights.entries().entrySet()) {
      long rt = e.getKey();
      if (rt >= ts + lower && rt <= ts + upper) {
        for (Object r : e.getValue()) {
          fn.processElement(value, (R) r, out);
        }
      }
    }
    ctx.registerEventTimeTimer(ts + Math.max(upper, 0));
  }

  @Override
  @SuppressWarnings("unchecked")
  public void processElement2(R value, KeyedProcessFunction.Context<K> ctx, Collector<O> out) throws Exception {
    long ts = timestamp(ctx);
    add(rights, ts, value);
    for (Map.Entry<Long, List<Object>> e : lefts.entries().entrySet()) {
      long lt = e.getKey();
      if (ts >= lt + lower && ts <= lt + upper) {
        for (Object l : e.getValue()) {
          fn.processElement((L) l, value, out);
        }
      }
    }
    ctx.registerEventTimeTimer(ts - Math.min(lower, 0));
  }

  @Override
  public void onTimer(long time, KeyedProcessFunction.Context<K> ctx, Collector<O> out) {
    evict(lefts, time - Math.max(upper, 0));
    evict(rights, time + Math.min(lower, 0));
  }

  /** Drops the records with timestamps up to {@code upTo}: no partner of theirs can still be joined. */
  private static void evict(MapState<Long, List<Object>> side, long upTo) {
    List<Long> old = new ArrayList<>();
    for (Long t : side.entries().keySet()) {
      if (t <= upTo) {
        old.add(t);
      }
    }
    for (Long t : old) {
      side.remove(t);
    }
  }

  /** State values are shared with snapshots: never mutated, replaced. */
  private static void add(MapState<Long, List<Object>> side, long ts, Object value) {
    List<Object> before = side.get(ts);
    List<Object> now = before == null ? new ArrayList<>(1) : new ArrayList<>(before);
    now.add(value);
    side.put(ts, now);
  }

  private static long timestamp(KeyedProcessFunction.Context<?> ctx) {
    long ts = ctx.timestamp();
    if (ts == Long.MIN_VALUE) {
      throw new IllegalStateException("a record without event timestamp reached an interval join: give both sources"
          + " timestamps (e.g. GeneratorSource.withTimestamps, LogSource) and a WatermarkStrategy");
    }
    return ts;
  }
}
