package dev.onceflow.log.internal;

import dev.onceflow.log.InvalidTxnStateException;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.PreparingTransaction;
import dev.onceflow.log.ProducerFencedException;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionConfig;
import dev.onceflow.log.TransactionState;
import dev.onceflow.log.TransactionalProducer;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A transactional producer instance. Transactional sends do not wait for a force: the data is invisible until the
 * transaction is prepared or committed, and both force every touched partition first. That keeps a transaction of
 * many sends as cheap as one batch.
 */
final class TransactionalProducerImpl implements TransactionalProducer {
  private final LogImpl log;
  private final TransactionalIdState st;
  private final TransactionConfig config;
  private short epoch = -1;
  private Txn current;
  private final Map<TopicPartition, Integer> sequences = new HashMap<>();
  private boolean closed;

  TransactionalProducerImpl(LogImpl log, TransactionalIdState st, TransactionConfig config) {
    this.log = log;
    this.st = st;
    this.config = config;
  }

  @Override
  public synchronized void initTransactions() {
    ensureOpen();
    st.lock.writeLock().lock();
    try {
      log.context().check();
      if (st.producerId < 0) {
        st.producerId = log.coordinator().allocateProducerId();
      }
      if (st.epoch == Short.MAX_VALUE) {
        throw new IllegalStateException("producer epoch of " + st.id + " is exhausted; use a new transactional id");
      }
      st.epoch++;
      log.coordinator().logEpoch(st);
      epoch = st.epoch;
      for (Txn t : List.copyOf(st.open.values())) {
        if (t.state == TransactionState.ONGOING) {
          log.transactions().decide(st, t, false);
        }
      }
      current = null;
      sequences.clear();
    } finally {
      st.lock.writeLock().unlock();
    }
  }

  @Override
  public synchronized void beginTransaction() {
    ensureInitialized();
    st.lock.writeLock().lock();
    try {
      checkEpoch();
      if (current != null && current.state == TransactionState.ONGOING && !current.sealed) {
        throw new InvalidTxnStateException("transaction " + current + " is still ongoing; commit, abort or prepare it"
            + " before beginning another");
      }
      current = new Txn(st.id, st.producerId, st.nextSeq++, System.currentTimeMillis(), config.timeout().toMillis(),
          TransactionState.ONGOING);
      st.open.put(current.seq, current);
    } finally {
      st.lock.writeLock().unlock();
    }
  }

  @Override
  public long send(TopicPartition tp, ProducerRecord record) {
    return sendBatch(tp, List.of(record));
  }

  @Override
  public synchronized long sendBatch(TopicPartition tp, List<ProducerRecord> records) {
    ensureInitialized();
    PartitionLog p = log.partition(tp);
    ByteBuffer batch = BatchCodec.encode(records);
    st.lock.readLock().lock();
    try {
      checkEpoch();
      Txn t = requireOngoing("send");
      if (!t.partitions.contains(tp)) {
        t.partitions.add(tp);
        log.coordinator().logTxn(t, st.epoch, false); // informative; recovery reads the partitions themselves
      }
      int seq = sequences.getOrDefault(tp, 0);
      long[] r = p.append(batch, records.size(), batch.getLong(BatchCodec.OFF_MAX_TS), st.producerId, epoch, seq,
          t.seq);
      sequences.put(tp, seq + records.size());
      return r[0];
    } finally {
      st.lock.readLock().unlock();
    }
  }

  @Override
  public synchronized void sendOffsetsToTransaction(String group, Map<TopicPartition, Long> offsets) {
    Objects.requireNonNull(group, "group");
    ensureInitialized();
    st.lock.writeLock().lock();
    try {
      checkEpoch();
      Txn t = requireOngoing("sendOffsetsToTransaction");
      t.offsets.computeIfAbsent(group, k -> new TreeMap<>()).putAll(offsets);
    } finally {
      st.lock.writeLock().unlock();
    }
  }

  @Override
  public synchronized PreparedTransaction prepare() {
    ensureInitialized();
    st.lock.writeLock().lock();
    try {
      checkEpoch();
      Txn t = requireOngoing("prepare");
      return log.transactions().prepare(st, t, epoch);
    } finally {
      st.lock.writeLock().unlock();
    }
  }

  @Override
  public synchronized PreparingTransaction prepareDeferred() {
    ensureInitialized();
    Map<PartitionLog, Long> toForce;
    Txn t;
    st.lock.writeLock().lock();
    try {
      checkEpoch();
      t = requireOngoing("prepare");
      toForce = log.transactions().seal(st, t);
      t.sealed = true;
    } finally {
      st.lock.writeLock().unlock();
    }
    return new Preparing(t, epoch, toForce);
  }

  /** The second half of {@link #prepareDeferred()}; runs on whichever thread calls it, without the producer's lock. */
  private final class Preparing implements PreparingTransaction {
    private final Txn txn;
    private final short producerEpoch;
    private final Map<PartitionLog, Long> toForce;
    private PreparedTransaction token;

    Preparing(Txn txn, short producerEpoch, Map<PartitionLog, Long> toForce) {
      this.txn = txn;
      this.producerEpoch = producerEpoch;
      this.toForce = toForce;
    }

    @Override
    public synchronized PreparedTransaction complete() {
      if (token != null) {
        return token;
      }
      for (Map.Entry<PartitionLog, Long> e : toForce.entrySet()) {
        e.getKey().forceUpTo(e.getValue()); // the data first: PREPARED must never name data a crash can take back
      }
      long position;
      st.lock.writeLock().lock();
      try {
        log.context().check();
        position = log.transactions().recordPrepared(st, txn, producerEpoch);
      } finally {
        st.lock.writeLock().unlock();
      }
      log.coordinator().forceUpTo(position); // outside the lock: the writer's next sends do not wait for this fsync
      token = new PreparedTransaction(st.id, st.producerId, producerEpoch, txn.seq, txn.partitions);
      return token;
    }
  }

  @Override
  public synchronized void commitTransaction() {
    end(true);
  }

  @Override
  public synchronized void abortTransaction() {
    end(false);
  }

  private void end(boolean commit) {
    ensureInitialized();
    st.lock.writeLock().lock();
    try {
      checkEpoch();
      Txn t = current;
      if (t == null) {
        throw new InvalidTxnStateException("no transaction to " + (commit ? "commit" : "abort") + " on " + st.id
            + "; call beginTransaction first");
      }
      switch (t.state) {
        case COMPLETE_COMMIT -> {
          if (!commit) {
            throw new InvalidTxnStateException(t + " was already committed; it cannot be aborted");
          }
        }
        case COMPLETE_ABORT -> {
          if (commit) {
            throw new InvalidTxnStateException(t + " was aborted (timed out, or decided by abortPrepared); its data is"
                + " discarded: call abortTransaction() and redo the work in a new transaction");
          }
        }
        default -> log.transactions().decide(st, t, commit);
      }
    } finally {
      st.lock.writeLock().unlock();
    }
  }

  private Txn requireOngoing(String what) {
    Txn t = current;
    if (t == null || t.state != TransactionState.ONGOING || t.sealed) {
      String why = t == null ? "no transaction was begun"
          : t.state == TransactionState.COMPLETE_ABORT ? t + " was aborted (timed out or fenced)"
          : t.sealed ? "the current " + t + " is being prepared (prepareDeferred)"
          : "the current " + t + " is not ongoing";
      throw new InvalidTxnStateException(what + " on " + st.id + " is not allowed: " + why
          + "; call beginTransaction() (after abortTransaction() if the transaction was aborted)");
    }
    return t;
  }

  private void checkEpoch() {
    log.context().check();
    if (st.epoch != epoch) {
      throw new ProducerFencedException("producer " + st.id + " (producer id " + st.producerId + ", epoch " + epoch
          + ") was fenced by a newer instance with epoch " + st.epoch + "; close this instance, do not retry");
    }
  }

  private void ensureInitialized() {
    ensureOpen();
    if (epoch < 0) {
      throw new InvalidTxnStateException("call initTransactions() on " + st.id + " first");
    }
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("transactional producer " + st.id + " is closed");
    }
  }

  @Override
  public long producerId() {
    return st.producerId;
  }

  @Override
  public short epoch() {
    return epoch;
  }

  @Override
  public synchronized void close() {
    closed = true;
  }
}
