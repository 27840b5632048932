package dev.onceflow.log.internal;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Coordinator state of one transactional id: its producer id, current epoch, open transactions and recent outcomes.
 * Sends hold the read lock (they only need the epoch to stay put); every state change holds the write lock, so a
 * fencing {@code initTransactions} and a zombie's send can never interleave.
 */
final class TransactionalIdState {
  /** Outcomes kept per id so that a late commitPrepared can say "already committed". */
  static final int OUTCOMES_KEPT = 10_000;

  final String id;
  long producerId = -1;
  short epoch = -1;
  long nextSeq;
  final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
  final TreeMap<Long, Txn> open = new TreeMap<>();
  final Map<Long, Boolean> outcomes = new LinkedHashMap<>(16, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<Long, Boolean> eldest) {
      return size() > OUTCOMES_KEPT;
    }
  };

  TransactionalIdState(String id) {
    this.id = id;
  }
}
