package dev.onceflow.verify;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;

/**
 * A deliberately broken sink (test code only): a plain write-through sink that claims to be idempotent, so the engine
 * accepts it under EXACTLY_ONCE although a replay after a kill writes the records after the last checkpoint again.
 * It flushes every 16 records, as a real external system writes through promptly, so those records are out at a kill.
 * A verification must report the broken promise.
 */
public final class LyingIdempotentSink<T> implements WriteThroughSink<T> {
  private final WriteThroughSink<T> plain;

  private LyingIdempotentSink(WriteThroughSink<T> plain) {
    this.plain = plain;
  }

  /** {@code plain}, claiming to be idempotent. */
  public static <T> WriteThroughSink<T> of(WriteThroughSink<T> plain) {
    return new LyingIdempotentSink<>(plain);
  }

  @Override
  public String name() {
    return "lying-" + plain.name();
  }

  @Override
  public boolean idempotent() {
    return true; // the lie
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) throws Exception {
    SinkWriter<T> w = plain.createWriter(context);
    return new SinkWriter<>() {
      private int n;

      @Override
      public void write(T record) throws Exception {
        w.write(record);
        if (++n % 16 == 0) {
          w.flush();
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
}
