package dev.onceflow.examples.first;

import dev.onceflow.core.Pipeline;
import dev.onceflow.core.source.Source;
import dev.onceflow.verify.custom.Expectation;
import dev.onceflow.verify.custom.Sinks;
import dev.onceflow.verify.custom.VerifiableJob;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@link OrderTotals} in the form the verifier runs: the same logic between the verifier's source and sink.
 * Customer c's orders all go to input partition c mod 4 (order i: customer i mod 8, partition i mod 4), so each
 * customer's totals come in input order and the expected output is exact.
 */
public class OrderTotalsJob implements VerifiableJob {
  @Override
  public List<String> input(long seed, int events) {
    List<String> orders = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      orders.add("customer-" + (i % 8) + "," + (i % 7 + 1) * 100);
    }
    return orders;
  }

  @Override
  public void build(Pipeline pipeline, Source<String> source, Sinks sinks) {
    OrderTotals.totals(pipeline.source(source)).sinkTo(sinks.transactional());
  }

  @Override
  public Expectation expect(List<String> input) {
    Map<String, Long> totals = new HashMap<>();
    List<String> expected = new ArrayList<>();
    for (String order : input) {
      String[] f = order.split(",");
      expected.add(f[0] + " " + totals.merge(f[0], Long.parseLong(f[1]), Long::sum));
    }
    return Expectation.records(expected);
  }
}
