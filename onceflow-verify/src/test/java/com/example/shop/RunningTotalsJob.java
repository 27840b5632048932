package com.example.shop;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.verify.custom.Expectation;
import dev.onceflow.verify.custom.Sinks;
import dev.onceflow.verify.custom.VerifiableJob;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A user's job, written against the public API only: per customer, the running total of their orders, one line per
 * order. Customer c's orders are all in input partition c mod 4 (order i belongs to customer i mod 8 and goes to
 * partition i mod 4), so each customer's orders are processed in input order and the expected output is one exact
 * list.
 */
public class RunningTotalsJob implements VerifiableJob {

  record Order(String id, String customer, long cents) implements Serializable {
    static Order parse(String line) {
      String[] f = line.split(",");
      return new Order(f[0], f[1], Long.parseLong(f[2]));
    }
  }

  static final class Totals extends KeyedProcessFunction<String, Order, String> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> total;

    @Override
    public void open(KeyedStateStore state) {
      total = state.valueState("total", Serializers.LONG);
    }

    @Override
    public void processElement(Order o, Context<String> ctx, Collector<String> out) {
      long t = (total.value() == null ? 0 : total.value()) + o.cents();
      total.update(t);
      out.collect(o.id() + " " + o.customer() + " " + t);
    }
  }

  @Override
  public List<String> input(long seed, int events) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      out.add("o-" + i + ",c-" + (i % 8) + "," + (1 + Math.floorMod(i * 37L + seed, 100)));
    }
    return out;
  }

  @Override
  public void build(Pipeline pipeline, Source<String> source, Sinks sinks) {
    // Each output line carries the running total, so a replay must start from state that holds exactly the records
    // before the restored positions: under AT_LEAST_ONCE that takes aligned snapshots (an unaligned one may hold
    // records past the cut, and the replay's lines then carry totals the input never produced at that order)
    pipeline.alignedSnapshots(true);
    pipeline.source(source)
        .map(Order::parse)
        .keyBy(Order::customer)
        .process(new Totals())
        .sinkTo(sink(sinks));
  }

  /** The sink: transactional under exactly-once, plain otherwise. */
  protected Sink<String> sink(Sinks sinks) {
    return sinks.forGuarantee();
  }

  @Override
  public Expectation expect(List<String> input) {
    Map<String, Long> totals = new HashMap<>();
    List<String> expected = new ArrayList<>();
    for (String line : input) {
      Order o = Order.parse(line);
      long t = totals.merge(o.customer(), o.cents(), Long::sum);
      expected.add(o.id() + " " + o.customer() + " " + t);
    }
    return Expectation.records(expected);
  }
}
