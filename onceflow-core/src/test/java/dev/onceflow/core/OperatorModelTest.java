package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.source.CollectionSource;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.core.testing.CollectingSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** map/filter/flatMap/keyBy/keyed state against a plain Java model of the same computation. */
class OperatorModelTest {
  static final class RunningSum extends KeyedProcessFunction<Integer, Integer, String> {
    private transient ValueState<Long> sum;

    @Override
    public void open(KeyedStateStore state) {
      sum = state.valueState("sum");
    }

    @Override
    public void processElement(Integer v, Context<Integer> ctx, Collector<String> out) {
      Long s = sum.value();
      long n = (s == null ? 0 : s) + v;
      sum.update(n);
      out.collect(ctx.currentKey() + ":" + n);
    }

    @Override
    public void onTimer(long t, Context<Integer> ctx, Collector<String> out) {}
  }

  @Property(tries = 25)
  void pipelineMatchesModel(
      @ForAll @Size(max = 3000) List<@IntRange(min = -1000, max = 1000) Integer> input,
      @ForAll @IntRange(min = 1, max = 4) int parallelism,
      @ForAll @IntRange(min = 1, max = 700) int batchSize)
      throws Exception {
    CollectingSink<String> sink = new CollectingSink<>();
    Onceflow.pipeline("model")
        .guarantee(Guarantee.AT_LEAST_ONCE)
        .parallelism(parallelism)
        .batchSize(batchSize)
        .source(CollectionSource.of(input))
        .filter(v -> v % 3 != 0)
        .flatMap((Integer v, Collector<Integer> out) -> {
          out.collect(v);
          if (v > 500) {
            out.collect(v - 500);
          }
        })
        .map(v -> v * 2)
        .keyBy(v -> Math.floorMod(v, 7))
        .process(new RunningSum())
        .sinkTo(sink)
        .execute();

    // Model: per key, the final sum and the number of outputs (order across source subtasks is free).
    Map<Integer, Long> sums = new HashMap<>();
    Map<Integer, Integer> counts = new HashMap<>();
    for (int v : input) {
      if (v % 3 == 0) {
        continue;
      }
      List<Integer> outs = new ArrayList<>(List.of(v));
      if (v > 500) {
        outs.add(v - 500);
      }
      for (int o : outs) {
        int m = o * 2;
        sums.merge(Math.floorMod(m, 7), (long) m, Long::sum);
        counts.merge(Math.floorMod(m, 7), 1, Integer::sum);
      }
    }
    Map<Integer, Integer> actualCounts = new HashMap<>();
    for (String s : sink.values()) {
      actualCounts.merge(Integer.parseInt(s.substring(0, s.indexOf(':'))), 1, Integer::sum);
    }
    assertEquals(counts, actualCounts);
    // the last output per key (in per-key order) carries the total; all totals must appear
    for (var e : sums.entrySet()) {
      assertEquals(true, sink.values().contains(e.getKey() + ":" + e.getValue()), "sum of key " + e.getKey());
    }
  }
}
