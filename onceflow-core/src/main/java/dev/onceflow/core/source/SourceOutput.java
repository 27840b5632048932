package dev.onceflow.core.source;

/** Where a reader emits records during {@link SourceReader#poll}. */
public interface SourceOutput<T> {
  /** Emits a record without an event timestamp. */
  void collect(T record);

  /** Emits a record with its event timestamp in epoch millis. */
  void collect(T record, long timestamp);

  /**
   * Reports a record that could not be decoded. It is counted in the job metrics; the reader is responsible for
   * writing it to its dead-letter output. Throws (failing the attempt) if the pipeline is configured to fail on decode
   * errors.
   */
  void decodeFailed(String what, Exception cause);
}
