package dev.onceflow.log;

import dev.onceflow.log.internal.LogImpl;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * An embedded, crash-safe, partitioned append-only log in one directory. Thread-safe. One process (and one
 * {@code Log} instance within it) owns a directory at a time.
 *
 * <p>Opening recovers: every partition's tail is scanned and a torn tail (an invalid last batch with nothing valid
 * after it) is truncated to the last valid batch (logged with the number of bytes dropped); damage with valid data
 * after it is corruption and refuses to open ({@link CorruptLogException}); transactions whose commit or abort was decided are completed;
 * ONGOING transactions are aborted; PREPARED ones stay prepared until {@link #commitPrepared} or
 * {@link #abortPrepared}.
 *
 * <p>Every method throws {@link LogFailedException} once the log has stopped after an fsync error.
 */
public interface Log extends AutoCloseable {

  /** Opens (creating if needed) the log in {@code dir} with {@link LogConfig#defaults()}. */
  static Log open(Path dir) {
    return open(dir, LogConfig.defaults());
  }

  /**
   * Opens (creating if needed) the log in {@code dir}, recovering it.
   *
   * @throws LogLockedException if another process or another Log in this JVM owns the directory
   * @throws CorruptLogException if a segment or the coordinator file is corrupt before valid data (the message names
   *     the file and byte position; nothing was truncated)
   * @throws UnsupportedLogFormatException if a file has a format version this version cannot read
   */
  static Log open(Path dir, LogConfig config) {
    return LogImpl.open(dir, config);
  }

  /**
   * Creates a topic durably (directory fsync'd). A no-op if it exists with the same partition count.
   *
   * @throws IllegalArgumentException if it exists with a different partition count, or the name is invalid
   */
  void createTopic(String topic, TopicConfig config);

  /** Whether the topic exists. */
  boolean topicExists(String topic);

  /**
   * The topic's partition count.
   *
   * @throws UnknownTopicException if it does not exist
   */
  int partitions(String topic);

  /** All topic names. */
  Set<String> topics();

  /** A plain producer: no producer id, a retried send may append twice. */
  Producer producer();

  /** An idempotent producer: a new durable producer id; each batch is appended at most once. */
  Producer idempotentProducer();

  /** A transactional producer for this transactional id with {@link TransactionConfig#DEFAULT}. */
  TransactionalProducer transactionalProducer(String transactionalId);

  /** A transactional producer for this transactional id. */
  TransactionalProducer transactionalProducer(String transactionalId, TransactionConfig config);

  /** A new consumer. */
  Consumer consumer(ConsumerConfig config);

  /**
   * Commits the PREPARED transaction named by the token, durably, writing commit markers to its partitions and
   * applying its consumer-group offsets. Idempotent.
   *
   * @return {@link CompletionResult#COMMITTED} if this call committed it, {@link CompletionResult#ALREADY_COMMITTED}
   *     if it was committed before
   * @throws InvalidTxnStateException if it was aborted, or the token names no transaction this log knows
   */
  CompletionResult commitPrepared(PreparedTransaction token);

  /**
   * Commits several PREPARED transactions (of any transactional ids) as {@link #commitPrepared} does each, in list
   * order per transactional id, sharing the forces: one fsync of the coordinator for every decision, then one per
   * partition for every marker, instead of that much per transaction. Each transaction is committed on its own (this
   * is not one atomic commit of all); the durable order of each is unchanged (decision forced before its markers,
   * markers forced before they become visible under {@code EVERY_APPEND}). Returns only once all are durable.
   *
   * @return one result per token, in order
   * @throws InvalidTxnStateException if one was aborted or is unknown; the ones before it in the list may be committed
   */
  List<CompletionResult> commitPrepared(List<PreparedTransaction> tokens);

  /**
   * Aborts the PREPARED transaction named by the token, durably. Idempotent.
   *
   * @return {@link CompletionResult#ABORTED} or {@link CompletionResult#ALREADY_ABORTED}
   * @throws InvalidTxnStateException if it was committed, or the token names no transaction this log knows
   */
  CompletionResult abortPrepared(PreparedTransaction token);

  /**
   * The PREPARED (undecided) transactions whose transactional id starts with {@code transactionalIdPrefix}, ordered
   * by transactional id and sequence. Each equals the token {@link TransactionalProducer#prepare()} returned for it
   * (even after later epochs). A restarted job commits the ones its checkpoint recorded and aborts the rest.
   */
  List<PreparedTransaction> preparedTransactions(String transactionalIdPrefix);

  /** The first offset still stored (retention moves it forward). */
  long startOffset(TopicPartition tp);

  /** The high watermark: the offset after the last record readers may see (durable under EVERY_APPEND). */
  long endOffset(TopicPartition tp);

  /** First offset of the earliest open (ongoing or prepared) transaction in the partition, else the end offset. */
  long lastStableOffset(TopicPartition tp);

  /** The group's durably committed offset for the partition, if any. */
  OptionalLong committedOffset(String group, TopicPartition tp);

  /**
   * Durably commits offsets (the next offset to read, per partition) for a consumer group, without a consumer; the
   * same as {@link Consumer#commitSync} of a consumer of that group. Unless a topic sets
   * {@link TopicConfig#retentionIgnoresConsumerGroups()}, retention never deletes a segment holding offsets at or
   * after the smallest offset any group committed for the partition: committing holds the data for the group.
   *
   * @throws UnknownTopicException if a partition does not exist
   */
  void commitOffsets(String group, java.util.Map<TopicPartition, Long> offsets);

  /**
   * Durably forgets a consumer group's committed offsets, releasing what retention kept for it (e.g. for a pipeline
   * that will never run again). Returns whether the group existed.
   */
  boolean deleteGroup(String group);

  /** Every consumer group's committed offsets, by group name (a snapshot). */
  java.util.Map<String, java.util.Map<TopicPartition, Long>> groupOffsets();

  /** Offsets, transactions, producers and storage of the whole log. */
  LogStats stats();

  /** Releases the directory lock, stops background work and closes files. Idempotent. */
  @Override
  void close();
}
