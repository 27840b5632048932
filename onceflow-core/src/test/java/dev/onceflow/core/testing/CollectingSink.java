package dev.onceflow.core.testing;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/** A plain write-through sink into memory (effects are immediate and never rolled back). */
public final class CollectingSink<T> implements WriteThroughSink<T> {
  private final ConcurrentLinkedQueue<T> out = new ConcurrentLinkedQueue<>();
  private final Fault fault;
  private final String name;

  public CollectingSink() {
    this(Fault.never());
  }

  public CollectingSink(Fault fault) {
    this("collect", fault);
  }

  /** A sink of another name (a pipeline's sinks need names of their own). */
  public CollectingSink(String name) {
    this(name, Fault.never());
  }

  private CollectingSink(String name, Fault fault) {
    this.name = name;
    this.fault = fault;
  }

  @Override
  public String name() {
    return name;
  }

  public List<T> values() {
    return new ArrayList<>(out);
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return new SinkWriter<>() {
      @Override
      public void write(T record) {
        fault.check("sink write");
        out.add(record);
      }

      @Override
      public void flush() {}
    };
  }
}
