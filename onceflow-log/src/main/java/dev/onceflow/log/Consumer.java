package dev.onceflow.log;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads assigned partitions from a position. Single-threaded: use one consumer per thread. Obtained from
 * {@link Log#consumer(ConsumerConfig)}.
 */
public interface Consumer extends AutoCloseable {

  /**
   * Replaces the assignment. A newly assigned partition starts at its group's committed offset if there is one, else
   * at the partition's start offset; partitions that stay assigned keep their position.
   *
   * @throws UnknownTopicException if a partition does not exist
   */
  void assign(Collection<TopicPartition> partitions);

  /** The current assignment. */
  Set<TopicPartition> assignment();

  /**
   * Sets the next offset to read, clamped to the end offset; below the start offset it moves up to the start offset,
   * unless the consumer was configured with {@link ConsumerConfig#withFailOnDeletedPositions()}.
   *
   * @throws OffsetOutOfRangeException if {@code offset} is below the start offset and the consumer must not skip
   */
  void seek(TopicPartition tp, long offset);

  /** Moves to the partition's start offset. */
  void seekToBeginning(TopicPartition tp);

  /** Moves to the first offset whose record timestamp is >= {@code timestamp}, or to the end if there is none. */
  void seekToTimestamp(TopicPartition tp, long timestamp);

  /** The next offset this consumer will read from the partition. */
  long position(TopicPartition tp);

  /**
   * Returns up to {@code maxRecords} available records of the assigned partitions, without blocking; empty when
   * nothing is available. Advances positions past returned records (and past skipped markers or aborted data).
   *
   * @throws OffsetOutOfRangeException if a position is below its partition's start offset (retention deleted records
   *     not read yet) and the consumer was configured with {@link ConsumerConfig#withFailOnDeletedPositions()}
   * @throws CorruptLogException if a batch to be read is corrupt (the message names file and byte position)
   */
  List<LogRecord> poll(int maxRecords);

  /** Like {@link #poll(int)} but waits up to {@code timeout} for data (without spinning). */
  List<LogRecord> poll(int maxRecords, Duration timeout);

  /**
   * Durably commits these offsets (the next offset to read, per partition) for this consumer's group.
   *
   * @throws IllegalStateException if the consumer has no group id
   */
  void commitSync(Map<TopicPartition, Long> offsets);

  /**
   * Whether there is nothing more to read right now: position == end offset for read-uncommitted; position == last
   * stable offset with no open transaction holding it back, for read-committed.
   */
  boolean atEnd(TopicPartition tp);

  /** Releases the consumer. */
  @Override
  void close();
}
