package dev.onceflow.log;

import java.util.List;

/**
 * Appends records to partitions. Thread-safe: many threads may share one producer. Obtained from
 * {@link Log#producer()} (plain: a retry may duplicate) or {@link Log#idempotentProducer()} (each batch carries
 * producer id, epoch and per-partition sequence so the log appends it at most once).
 */
public interface Producer extends AutoCloseable {

  /**
   * Appends one record and returns its offset once it is durable per the log's {@link FsyncPolicy}.
   *
   * @throws UnknownTopicException if the partition does not exist
   * @throws LogFailedException if the log stopped after an I/O error
   */
  long send(TopicPartition tp, ProducerRecord record);

  /**
   * Appends the records as one batch (the fast path: one header, one CRC, one write) and returns the offset of the
   * first once durable per the log's {@link FsyncPolicy}. The records get consecutive offsets.
   *
   * @throws IllegalArgumentException if {@code records} is empty
   */
  long sendBatch(TopicPartition tp, List<ProducerRecord> records);

  /** The producer id the log assigned, or -1 for a plain producer. */
  long producerId();

  /** Releases the producer. Appends already acknowledged stay. */
  @Override
  void close();
}
