package dev.onceflow.log;

/**
 * A transaction sealed by {@link TransactionalProducer#prepareDeferred()} whose preparation (forcing its data, then
 * recording PREPARED durably) is still to be finished by {@link #complete()}. It exists so that the thread that
 * writes transactions never waits for an fsync: the writer seals the transaction and begins the next one at once,
 * another thread completes the preparation.
 *
 * <p>Until {@link #complete()} returns, the transaction is not prepared: it is not listed by
 * {@link Log#preparedTransactions}, a crash (or {@link TransactionalProducer#initTransactions()} of a newer instance,
 * or its timeout) aborts it like an ONGOING one, and no token exists for it. Its records stay invisible either way.
 */
public interface PreparingTransaction {
  /**
   * Finishes the preparation: forces the transaction's data in every partition it touched, then records PREPARED with
   * each partition's data range, forced; returns the token (equal to what {@link TransactionalProducer#prepare()}
   * would have returned). Any thread; idempotent (a second call returns the same token). Blocks for about two fsyncs,
   * shared with concurrent preparations and commits of other transactional ids (group commit).
   *
   * @throws InvalidTxnStateException if the transaction was aborted before its preparation finished (a newer instance
   *     fenced this one, or it timed out): it is not prepared and its records are discarded
   * @throws LogFailedException if the log stopped after an fsync error
   */
  PreparedTransaction complete();
}
