package dev.onceflow.log.internal;

import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.InvalidTxnStateException;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionState;
import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Transaction state transitions that touch partitions: prepare, decide (commit or abort) and recovery. Callers hold
 * the transactional id's write lock. The durable order is what makes a crash at any step all-or-nothing:
 *
 * <ol>
 *   <li>data written (and forced before PREPARED or PREPARE_COMMIT is recorded);
 *   <li>PREPARED recorded and forced, with each partition's data range (prepare);
 *   <li>PREPARE_COMMIT / PREPARE_ABORT recorded and forced, with the ranges: the decision;
 *   <li>markers written and forced in every partition (idempotent: a range already covered is skipped);
 *   <li>COMPLETE_* recorded (not forced: if lost, reopening repeats step 4, which is idempotent); group offsets of a
 *       committed transaction applied.
 * </ol>
 */
final class TransactionOps {
  private final Coordinator coordinator;
  private final Function<TopicPartition, PartitionLog> partitions;

  TransactionOps(Coordinator coordinator, Function<TopicPartition, PartitionLog> partitions) {
    this.coordinator = coordinator;
    this.partitions = partitions;
  }

  /** Records the data ranges of t from the partitions (those not recorded yet) and forces its data. */
  private void captureRanges(TransactionalIdState st, Txn t) {
    for (Map.Entry<PartitionLog, Long> e : seal(st, t).entrySet()) {
      e.getKey().forceUpTo(e.getValue());
    }
  }

  /**
   * Records the data ranges of t from the partitions (those not recorded yet) without forcing; returns, per partition,
   * the end offset its data needs forced up to (a range sealed earlier may not be forced yet, so all are returned).
   */
  Map<PartitionLog, Long> seal(TransactionalIdState st, Txn t) {
    Map<PartitionLog, Long> ends = new java.util.LinkedHashMap<>();
    for (TopicPartition tp : t.partitions) {
      PartitionLog p = partitions.apply(tp);
      long[] r = t.ranges.get(tp);
      if (r == null) {
        r = p.openRange(st.producerId, t.seq);
        if (r == null) {
          continue;
        }
        t.ranges.put(tp, r);
      }
      ends.put(p, r[1] + 1);
    }
    return ends;
  }

  PreparedTransaction prepare(TransactionalIdState st, Txn t, short producerEpoch) {
    captureRanges(st, t);
    t.state = TransactionState.PREPARED;
    t.preparedEpoch = producerEpoch;
    coordinator.logTxn(t, st.epoch, true);
    return new PreparedTransaction(st.id, st.producerId, producerEpoch, t.seq, t.partitions);
  }

  /**
   * The second half of a deferred prepare, after the data of t was forced: records PREPARED unless t was aborted
   * since it was sealed (fenced or timed out). Caller holds the id's write lock. Returns the coordinator position to
   * force (outside the lock) before the token may be handed out.
   */
  long recordPrepared(TransactionalIdState st, Txn t, short producerEpoch) {
    if (t.state != TransactionState.ONGOING || !t.sealed || st.open.get(t.seq) != t) {
      throw new InvalidTxnStateException(t + " was aborted before its preparation finished (a newer instance of "
          + st.id + " fenced this one, or it timed out): it is not prepared and its records are discarded; begin a"
          + " new transaction (after initTransactions() if this instance was fenced)");
    }
    t.sealed = false;
    t.state = TransactionState.PREPARED;
    t.preparedEpoch = producerEpoch;
    return coordinator.appendTxnUnforced(t, st.epoch);
  }

  /** Commits or aborts t (ONGOING, PREPARED or already decided) through to COMPLETE. */
  void decide(TransactionalIdState st, Txn t, boolean commit) {
    if (t.state == TransactionState.ONGOING || t.state == TransactionState.PREPARED) {
      captureRanges(st, t);
      t.state = commit ? TransactionState.PREPARE_COMMIT : TransactionState.PREPARE_ABORT;
      // a transaction that wrote nothing and carries no offsets has nothing to recover: a lost decision reads as an
      // unfinished transaction with no data, which recovery aborts (so an idle sink's checkpoint costs no fsync)
      coordinator.logTxn(t, st.epoch, !(t.ranges.isEmpty() && t.offsets.isEmpty()));
    }
    commit = t.state == TransactionState.PREPARE_COMMIT;
    for (Map.Entry<TopicPartition, long[]> e : t.ranges.entrySet()) {
      long[] r = e.getValue();
      partitions.apply(e.getKey()).writeMarker(st.producerId, st.epoch, t.seq, commit, r[0], r[1]);
    }
    t.state = commit ? TransactionState.COMPLETE_COMMIT : TransactionState.COMPLETE_ABORT;
    coordinator.logTxn(t, st.epoch, false);
    if (commit) {
      t.offsets.forEach(coordinator::applyGroup);
    }
    st.open.remove(t.seq);
    st.outcomes.put(t.seq, commit);
  }

  /** Log.commitPrepared / abortPrepared. */
  CompletionResult complete(PreparedTransaction token, boolean commit) {
    TransactionalIdState st = coordinator.ids.get(token.transactionalId());
    if (st == null || st.producerId != token.producerId()) {
      throw new InvalidTxnStateException("no transaction " + token.transactionalId() + "#"
          + token.transactionSequence() + " of producer id " + token.producerId() + " is known to this log; was the"
          + " token produced by a different log directory?");
    }
    st.lock.writeLock().lock();
    try {
      Txn t = st.open.get(token.transactionSequence());
      if (t != null) {
        if (t.state == TransactionState.ONGOING) {
          throw new InvalidTxnStateException(t + " was never prepared; only prepared transactions can be decided by"
              + " token");
        }
        boolean decidedOther = (t.state == TransactionState.PREPARE_COMMIT && !commit)
            || (t.state == TransactionState.PREPARE_ABORT && commit);
        if (decidedOther) {
          decide(st, t, !commit);
          throw conflict(token, !commit);
        }
        decide(st, t, commit);
        return commit ? CompletionResult.COMMITTED : CompletionResult.ABORTED;
      }
      Boolean committed = st.outcomes.get(token.transactionSequence());
      if (committed == null) {
        throw new InvalidTxnStateException("the outcome of " + token.transactionalId() + "#"
            + token.transactionSequence() + " is unknown (never prepared here, or older than the last "
            + TransactionalIdState.OUTCOMES_KEPT + " outcomes kept)");
      }
      if (committed != commit) {
        throw conflict(token, committed);
      }
      return commit ? CompletionResult.ALREADY_COMMITTED : CompletionResult.ALREADY_ABORTED;
    } finally {
      st.lock.writeLock().unlock();
    }
  }

  /**
   * Log.commitPrepared(list): each transaction as {@link #complete} commits it, but in three passes that share the
   * forces: record every PREPARE_COMMIT, force the coordinator once; write every marker, force each partition once;
   * record every COMPLETE_COMMIT (unforced, as always). The id's lock is held only while its state changes, never
   * during an fsync, so the id's writer keeps sending meanwhile. A transaction decided by another thread between the
   * passes is left to it (its markers are idempotent).
   */
  List<CompletionResult> commitAll(List<PreparedTransaction> tokens) {
    List<CompletionResult> results = new ArrayList<>(tokens.size());
    List<TransactionalIdState> states = new ArrayList<>();
    List<Txn> deciding = new ArrayList<>();
    long decisions = 0;
    RuntimeException failed = null;
    for (PreparedTransaction token : tokens) {
      TransactionalIdState st = coordinator.ids.get(token.transactionalId());
      Txn t = null;
      if (st != null && st.producerId == token.producerId()) {
        st.lock.writeLock().lock();
        try {
          Txn open = st.open.get(token.transactionSequence());
          if (open != null && open.state == TransactionState.PREPARED) {
            captureRanges(st, open); // forced at prepare already: no fsync
            open.state = TransactionState.PREPARE_COMMIT;
            decisions = coordinator.appendTxnUnforced(open, st.epoch);
            t = open;
          }
        } finally {
          st.lock.writeLock().unlock();
        }
      }
      if (t == null) {
        try {
          results.add(complete(token, true)); // decided, unknown or not prepared: the one-by-one path says which
        } catch (RuntimeException e) {
          failed = e; // the ones decided before it are finished below, then this is thrown
          break;
        }
        continue;
      }
      states.add(st);
      deciding.add(t);
      results.add(CompletionResult.COMMITTED);
    }
    if (!deciding.isEmpty()) {
      finishCommits(states, deciding, decisions);
    }
    if (failed != null) {
      throw failed;
    }
    return results;
  }

  /** Passes two and three of {@link #commitAll}: force the decisions, write and force the markers, complete. */
  private void finishCommits(List<TransactionalIdState> states, List<Txn> deciding, long decisions) {
    coordinator.forceUpTo(decisions); // every decision is durable before any of their markers is written
    Map<PartitionLog, Long> toForce = new java.util.LinkedHashMap<>();
    for (int i = 0; i < deciding.size(); i++) {
      TransactionalIdState st = states.get(i);
      Txn t = deciding.get(i);
      st.lock.writeLock().lock();
      try {
        if (st.open.get(t.seq) != t) {
          continue; // completed by another thread meanwhile
        }
        for (Map.Entry<TopicPartition, long[]> e : t.ranges.entrySet()) {
          PartitionLog p = partitions.apply(e.getKey());
          long end = p.appendMarker(st.producerId, st.epoch, t.seq, true, e.getValue()[0], e.getValue()[1]);
          if (end >= 0) {
            toForce.merge(p, end, Math::max);
          }
        }
      } finally {
        st.lock.writeLock().unlock();
      }
    }
    for (Map.Entry<PartitionLog, Long> e : toForce.entrySet()) {
      e.getKey().forceUpTo(e.getValue());
    }
    for (int i = 0; i < deciding.size(); i++) {
      TransactionalIdState st = states.get(i);
      Txn t = deciding.get(i);
      st.lock.writeLock().lock();
      try {
        if (st.open.get(t.seq) != t) {
          continue;
        }
        t.state = TransactionState.COMPLETE_COMMIT;
        coordinator.logTxn(t, st.epoch, false);
        t.offsets.forEach(coordinator::applyGroup);
        st.open.remove(t.seq);
        st.outcomes.put(t.seq, true);
      } finally {
        st.lock.writeLock().unlock();
      }
    }
  }

  private static InvalidTxnStateException conflict(PreparedTransaction token, boolean committed) {
    return new InvalidTxnStateException("transaction " + token.transactionalId() + "#" + token.transactionSequence()
        + " was already " + (committed ? "committed" : "aborted") + "; it cannot be "
        + (committed ? "aborted" : "committed") + " now");
  }

  List<PreparedTransaction> prepared(String prefix) {
    List<PreparedTransaction> out = new ArrayList<>();
    for (TransactionalIdState st : coordinator.ids.values()) {
      if (!st.id.startsWith(prefix)) {
        continue;
      }
      st.lock.readLock().lock();
      try {
        for (Txn t : st.open.values()) {
          if (t.state == TransactionState.PREPARED) {
            out.add(new PreparedTransaction(st.id, st.producerId, t.preparedEpoch, t.seq, t.partitions));
          }
        }
      } finally {
        st.lock.readLock().unlock();
      }
    }
    out.sort((a, b) -> {
      int c = a.transactionalId().compareTo(b.transactionalId());
      return c != 0 ? c : Long.compare(a.transactionSequence(), b.transactionSequence());
    });
    return out;
  }

  /**
   * Recovery on open, after every partition was scanned: claim prepared and decided ranges, abort every
   * transactional run nothing claims (ONGOING transactions, or data whose transaction was never recorded), finish
   * decided transactions, and record ONGOING ones as aborted. Read-only: only claim (so the read-committed view is the
   * one on disk).
   */
  void recover(Iterable<PartitionLog> all, boolean readOnly) {
    for (TransactionalIdState st : coordinator.ids.values()) {
      for (Txn t : st.open.values()) {
        if (t.state != TransactionState.ONGOING) {
          for (Map.Entry<TopicPartition, long[]> e : t.ranges.entrySet()) {
            PartitionLog p = partitions.apply(e.getKey());
            if (p != null) {
              p.claim(st.producerId, t.seq, e.getValue()[0], e.getValue()[1]);
            }
          }
        }
      }
    }
    if (readOnly) {
      return; // inspection: leave decided transactions and unclaimed data as they are on disk
    }
    for (PartitionLog p : all) {
      p.abortUnclaimed();
    }
    for (TransactionalIdState st : coordinator.ids.values()) {
      st.lock.writeLock().lock();
      try {
        for (Txn t : new ArrayList<>(st.open.values())) {
          switch (t.state) {
            case PREPARE_COMMIT, PREPARE_ABORT -> {
              decide(st, t, t.state == TransactionState.PREPARE_COMMIT);
              LogContext.LOGGER.log(Level.INFO, "Recovery: completed {0}", t);
            }
            case ONGOING -> {
              t.state = TransactionState.COMPLETE_ABORT;
              coordinator.logTxn(t, st.epoch, false);
              st.open.remove(t.seq);
              st.outcomes.put(t.seq, false);
              LogContext.LOGGER.log(Level.INFO, "Recovery: aborted {0}", t);
            }
            default -> LogContext.LOGGER.log(Level.INFO, "Recovery: {0} stays prepared, awaiting a decision", t);
          }
        }
      } finally {
        st.lock.writeLock().unlock();
      }
    }
  }

  /** Aborts ONGOING transactions older than their timeout (PREPARED ones never time out). */
  void abortTimedOut(long nowMillis) {
    for (TransactionalIdState st : coordinator.ids.values()) {
      if (!st.lock.writeLock().tryLock()) {
        continue; // busy: check again next round
      }
      try {
        for (Txn t : new ArrayList<>(st.open.values())) {
          if (t.state == TransactionState.ONGOING && nowMillis - t.startMillis > t.timeoutMillis) {
            decide(st, t, false);
            LogContext.LOGGER.log(Level.WARNING, "Aborted {0}: open longer than its timeout of {1} ms", t,
                Long.toString(t.timeoutMillis));
          }
        }
      } finally {
        st.lock.writeLock().unlock();
      }
    }
  }
}
