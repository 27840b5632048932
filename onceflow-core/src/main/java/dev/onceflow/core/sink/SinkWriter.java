package dev.onceflow.core.sink;

/** Writes records of one subtask of a {@link WriteThroughSink}. Called only from that subtask's thread. */
public interface SinkWriter<T> extends AutoCloseable {
  /** Writes one record (may buffer). */
  void write(T record) throws Exception;

  /**
   * Makes every record written so far durable/visible. Called on every checkpoint barrier before the subtask
   * acknowledges, so a completed checkpoint never covers an unwritten record (at-least-once).
   */
  void flush() throws Exception;

  /** Releases resources after a final flush or on cancellation. */
  @Override
  default void close() throws Exception {}
}
