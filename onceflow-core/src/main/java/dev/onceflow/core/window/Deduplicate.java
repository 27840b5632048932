package dev.onceflow.core.window;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;

/**
 * Drops records whose id (the key) was already emitted with an event timestamp less than {@code ttl} away (use {@link
 * dev.onceflow.core.DataStream#deduplicate}). The seen-id set is keyed state (checkpointed, restored), so a replayed
 * duplicate after a failure is still recognised under EXACTLY_ONCE. An id is forgotten when the watermark passes its
 * first timestamp + ttl; records without a timestamp are remembered forever.
 */
public final class Deduplicate<K, T> extends KeyedProcessFunction<K, T, T> {
  private static final long serialVersionUID = 1L;
  private final long ttlMillis;
  private transient ValueState<Long> seen;
  /** Written by the subtask thread only, read by metrics: a plain long, stale by at most a few records. */
  private transient volatile long absorbed;

  /** Creates the function. */
  public Deduplicate(long ttlMillis) {
    this.ttlMillis = ttlMillis;
  }

  @Override
  public void open(KeyedStateStore state) {
    seen = state.valueState("seen", Serializers.LONG);
  }

  @Override
  public void processElement(T value, Context<K> ctx, Collector<T> out) {
    long ts = ctx.timestamp();
    Long first = seen.value();
    // Compare event times, not arrival: records of one id may arrive out of order from different source subtasks.
    if (first != null && (ts == Long.MIN_VALUE || Math.abs(ts - first) < ttlMillis)) {
      absorbed = absorbed + 1; // single writer: no lost update; one volatile store per duplicate, none per new id
      return;
    }
    seen.update(ts);
    if (ts != Long.MIN_VALUE) {
      ctx.registerEventTimeTimer(ts + ttlMillis);
    }
    out.collect(value);
  }

  /** Records this instance (one subtask of one attempt) dropped as duplicates; any thread. */
  public long absorbed() {
    return absorbed;
  }

  @Override
  public void onTimer(long time, Context<K> ctx, Collector<T> out) {
    Long first = seen.value();
    if (first != null && first + ttlMillis <= time) {
      seen.clear();
    }
  }
}
