package dev.onceflow.cli;

import dev.onceflow.core.Pipeline;
import dev.onceflow.core.source.Source;
import dev.onceflow.verify.custom.Expectation;
import dev.onceflow.verify.custom.Sinks;
import dev.onceflow.verify.custom.VerifiableJob;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** A user's pipeline for {@code verify --pipeline}: each line upper-cased, exactly once. */
public class UppercaseJob implements VerifiableJob {
  @Override
  public List<String> input(long seed, int events) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < events; i++) {
      out.add("line-" + i);
    }
    return out;
  }

  @Override
  public void build(Pipeline pipeline, Source<String> source, Sinks sinks) {
    pipeline.source(source).map(s -> s.toUpperCase(Locale.ROOT)).sinkTo(sinks.forGuarantee());
  }

  @Override
  public Expectation expect(List<String> input) {
    return Expectation.records(input.stream().map(s -> s.toUpperCase(Locale.ROOT)).toList());
  }
}
