package dev.onceflow.verify;

import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;

/**
 * A deliberately broken child (test code only): a plain write-through sink that claims to be idempotent, so the
 * engine accepts it under EXACTLY_ONCE although a replay repeats its effects. The verifier must report the broken
 * promise.
 */
public final class LyingPlainSinkChild {
  private LyingPlainSinkChild() {}

  public static void main(String[] args) throws Exception {
    System.exit(JobMain.run(JobRunSpec.fromArgs(args), (log, topic, job, guarantee) -> {
      WriteThroughSink<OutputRow> plain = LogSink.plain(log, topic, OutputRow::encodeValue);
      return new WriteThroughSink<OutputRow>() {
        @Override
        public String name() {
          return "lying-" + plain.name();
        }

        @Override
        public boolean idempotent() {
          return true; // the lie
        }

        @Override
        public SinkWriter<OutputRow> createWriter(SinkContext context) throws Exception {
          SinkWriter<OutputRow> w = plain.createWriter(context);
          return new SinkWriter<>() {
            private int n;

            @Override
            public void write(OutputRow record) throws Exception {
              w.write(record);
              if (++n % 16 == 0) {
                w.flush(); // write through promptly, so rows after the last checkpoint are in the log at a kill
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
    }));
  }
}
