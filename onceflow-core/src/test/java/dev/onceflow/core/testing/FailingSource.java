package dev.onceflow.core.testing;

import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;

/** Decorates a source: a read fails when the fault fires (the decorator pattern the verifier uses). */
public final class FailingSource<T> extends ForwardingSource<T> {
  private final Fault fault;

  public FailingSource(Source<T> inner, Fault fault) {
    super(inner);
    this.fault = fault;
  }


  @Override
  public SourceReader<T> createReader(SourceContext context) throws Exception {
    SourceReader<T> r = super.createReader(context);
    return new ForwardingSourceReader<>(r) {
      @Override
      public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
        ReadStatus s = r.poll(output, maxRecords);
        if (fault.hit(maxRecords)) {
          throw new Fault.InjectedFault("source read");
        }
        return s;
      }
    };
  }
}
