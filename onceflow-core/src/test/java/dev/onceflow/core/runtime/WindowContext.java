package dev.onceflow.core.runtime;

import dev.onceflow.core.KeyedProcessFunction;
import java.util.LinkedHashSet;
import java.util.TreeMap;

/**
 * The context the keyed operator gives a window operator, over a bare {@link HeapKeyedState}: key and timestamp per
 * call; timers are recorded per time (as {@link KeyedProcessOp} keeps them) and fired by the test.
 */
final class WindowContext implements KeyedProcessFunction.Context<Long> {
  final HeapKeyedState state;
  long ts;
  long watermark = Long.MIN_VALUE;
  final TreeMap<Long, LinkedHashSet<Long>> timers = new TreeMap<>();

  WindowContext(HeapKeyedState state) {
    this.state = state;
  }

  @Override
  public Long currentKey() {
    return (Long) state.currentKey();
  }

  @Override
  public long timestamp() {
    return ts;
  }

  @Override
  public long currentWatermark() {
    return watermark;
  }

  @Override
  public void registerEventTimeTimer(long time) {
    timers.computeIfAbsent(time, t -> new LinkedHashSet<>()).add(currentKey());
  }

  @Override
  public void deleteEventTimeTimer(long time) {
    LinkedHashSet<Long> keys = timers.get(time);
    if (keys != null) {
      keys.remove(currentKey());
    }
  }
}
