package dev.onceflow.core.sink;

/**
 * A sink that writes records as they arrive: plain (effects may repeat after replay), or idempotent when {@link
 * #idempotent()} is true (a replayed record replaces its earlier copy).
 */
public interface WriteThroughSink<T> extends Sink<T> {
  /** Creates the writer of one subtask. */
  SinkWriter<T> createWriter(SinkContext context) throws Exception;
}
