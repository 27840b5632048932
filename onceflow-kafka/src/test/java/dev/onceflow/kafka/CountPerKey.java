package dev.onceflow.kafka;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.core.state.KeyedStateStore;

/** Keyed running count: for event id with key k emits "id,k,count-of-k-so-far". */
// A copy of onceflow-core's test helper (core publishes no test jar).
public final class CountPerKey extends KeyedProcessFunction<Long, Long, String> {
  private transient ValueState<Long> count;

  @Override
  public void open(KeyedStateStore state) {
    count = state.valueState("count", Serializers.LONG);
  }

  @Override
  public void processElement(Long id, Context<Long> ctx, Collector<String> out) {
    Long c = count.value();
    long n = c == null ? 1 : c + 1;
    count.update(n);
    out.collect(id + "," + ctx.currentKey() + "," + n);
  }
}
