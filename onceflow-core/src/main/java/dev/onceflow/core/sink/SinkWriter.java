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

  /**
   * Called after each input batch the subtask processed. The default flushes, so records become visible batch by
   * batch. A writer whose target pays per write (a database commit and its fsync) may instead write only once enough
   * is buffered: {@link #flush()} is still called on every barrier, when the input is idle and at its end, so holding
   * records here never lets a checkpoint cover an unwritten one and a quiet stream is not held back.
   */
  default void endOfBatch() throws Exception {
    flush();
  }

  /** Releases resources after a final flush or on cancellation. */
  @Override
  default void close() throws Exception {}
}
