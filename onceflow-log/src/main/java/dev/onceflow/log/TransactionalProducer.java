package dev.onceflow.log;

import java.util.List;
import java.util.Map;

/**
 * Appends records to several partitions atomically, with two-phase commit across process restarts. One instance per
 * transactional id at a time: {@link #initTransactions()} fences older instances (they get
 * {@link ProducerFencedException}). Calls are serialised internally; a transaction is normally driven by one thread.
 *
 * <p>Life cycle: {@code initTransactions(); beginTransaction(); send...; commitTransaction()} — or, for a
 * two-phase-commit sink, {@code beginTransaction(); send...; token = prepare();} store the token, then
 * {@link Log#commitPrepared(PreparedTransaction)} from any later process. While one or more transactions of this id are
 * PREPARED (awaiting a decision), the same producer may {@link #beginTransaction()} and fill the next one, and may
 * prepare it too: several PREPARED transactions may wait at once and are decided independently.
 */
public interface TransactionalProducer extends AutoCloseable {

  /**
   * Registers this instance: assigns (first time) or reuses the transactional id's producer id, bumps its epoch
   * durably (fencing older instances), and aborts the id's ONGOING (unprepared) transaction. PREPARED transactions are
   * left waiting for an explicit decision. Must be called once before anything else.
   */
  void initTransactions();

  /**
   * Starts a new transaction.
   *
   * @throws InvalidTxnStateException if a transaction of this instance is still ONGOING
   */
  void beginTransaction();

  /** Appends a record in the current transaction and returns its offset once durable per the fsync policy. */
  long send(TopicPartition tp, ProducerRecord record);

  /** Appends records as one batch in the current transaction; returns the offset of the first. */
  long sendBatch(TopicPartition tp, List<ProducerRecord> records);

  /**
   * Adds consumer-group offsets to the current transaction: they become the group's committed offsets if and only if
   * the transaction commits.
   */
  void sendOffsetsToTransaction(String group, Map<TopicPartition, Long> offsets);

  /**
   * Makes the current transaction's data durable and moves it to PREPARED (still invisible to read-committed readers,
   * never aborted by timeout, fencing or restart) and returns a token that any later process can pass to
   * {@link Log#commitPrepared} or {@link Log#abortPrepared}. After this, {@link #beginTransaction()} may start the
   * next transaction.
   */
  PreparedTransaction prepare();

  /**
   * Seals the current transaction without waiting for a force: it accepts no more sends, and
   * {@link #beginTransaction()} may start the next one at once, while another thread calls {@link
   * PreparingTransaction#complete()} to make it durable and PREPARED (see {@link PreparingTransaction} for what holds
   * until then). {@code prepare()} has the same effect as {@code prepareDeferred().complete()}.
   *
   * @throws InvalidTxnStateException if no transaction is ONGOING
   * @throws ProducerFencedException if a newer instance fenced this one
   */
  PreparingTransaction prepareDeferred();

  /**
   * Commits this instance's latest transaction, whether ONGOING or PREPARED, and returns once the commit is durable
   * and visible. A no-op if it was already committed through {@link Log#commitPrepared}.
   *
   * @throws InvalidTxnStateException if there is no transaction, or it was aborted (e.g. by timeout)
   */
  void commitTransaction();

  /** Aborts this instance's latest transaction (ONGOING or PREPARED). A no-op if it was already aborted. */
  void abortTransaction();

  /** The producer id of this transactional id. */
  long producerId();

  /** This instance's epoch (valid after {@link #initTransactions()}). */
  short epoch();

  /** Releases the instance. An ONGOING transaction is left to the timeout or to the next initTransactions. */
  @Override
  void close();
}
