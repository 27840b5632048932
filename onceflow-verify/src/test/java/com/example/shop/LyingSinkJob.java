package com.example.shop;

import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.verify.custom.Sinks;

/**
 * The same job with a deliberately broken sink: a plain write-through sink that claims to be idempotent, so the
 * engine accepts it under EXACTLY_ONCE, but a replay after a kill writes the lines after the last checkpoint again.
 * The verification must report it.
 */
public class LyingSinkJob extends RunningTotalsJob {
  @Override
  protected Sink<String> sink(Sinks sinks) {
    WriteThroughSink<String> plain = sinks.plain();
    return new WriteThroughSink<String>() {
      @Override
      public String name() {
        return "lying-" + plain.name();
      }

      @Override
      public boolean idempotent() {
        return true; // the lie
      }

      @Override
      public SinkWriter<String> createWriter(SinkContext context) throws Exception {
        SinkWriter<String> w = plain.createWriter(context);
        return new SinkWriter<>() {
          private int n;

          @Override
          public void write(String line) throws Exception {
            w.write(line);
            if (++n % 16 == 0) {
              w.flush(); // write through promptly, as a real external system would
            }
          }

          @Override
          public void flush() throws Exception {
            w.flush();
          }

          @Override
          public void close() throws Exception {
            w.close();
          }
        };
      }
    };
  }
}
