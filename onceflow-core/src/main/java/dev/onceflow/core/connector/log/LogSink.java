package dev.onceflow.core.connector.log;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.DeferredToken;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.Log;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.PreparingTransaction;
import dev.onceflow.log.TransactionConfig;
import dev.onceflow.log.Producer;
import dev.onceflow.log.TransactionalProducer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sinks into a topic of the embedded log (the topic must exist).
 *
 * <ul>
 *   <li>{@link #transactional}: two-phase commit with the log's transactional producer. One transactional id per sink
 *       subtask, {@code <job>-<sink>-<subtask>}; {@code initTransactions()} bumps its epoch, fencing a zombie of an
 *       earlier attempt or process. On each barrier the transaction is sealed on the task thread and prepared
 *       (forced, PREPARED recorded) on the writer's preparer thread, awaited before the acknowledgement; its
 *       {@link PreparedTransaction} bytes become the checkpoint's token; commit = {@link Log#commitPrepared}. Recovery: the runtime commits the
 *       tokens of the restored checkpoint, then every other PREPARED transaction of the id is aborted. Readers must
 *       read committed. EXACTLY_ONCE.
 *   <li>{@link #plain}: write-through with the idempotent producer (a retried batch is not appended twice, but a
 *       replayed record is). AT_LEAST_ONCE / AT_MOST_ONCE.
 *   <li>{@link #upsert}: write-through keyed by a deterministic key; read the topic as a table (last value per key
 *       wins), so a replayed record replaces its earlier copy: idempotent, allowed under EXACTLY_ONCE.
 * </ul>
 */
public final class LogSink {
  private static final Logger LOG = LoggerFactory.getLogger(LogSink.class);

  private LogSink() {}

  /**
   * The default transaction timeout of the transactional sink: 1 hour. A transaction stays open for a whole
   * checkpoint interval (the whole job when there are no periodic checkpoints), so the log's 60 s default would abort
   * it under a long interval. An abandoned transaction of a crashed process is aborted sooner anyway: by the next
   * process's initTransactions (fencing) or by recovery.
   */
  public static final TransactionConfig DEFAULT_TRANSACTION_CONFIG = new TransactionConfig(Duration.ofHours(1));

  /** A two-phase-commit sink into {@code topic}; records are spread round-robin over its partitions. */
  public static <T> TwoPhaseCommitSink<T> transactional(Log log, String topic, Encoder<? super T> encoder) {
    return new Transactional<>(log, topic, null, encoder, DEFAULT_TRANSACTION_CONFIG);
  }

  /**
   * A two-phase-commit sink with an explicit transaction timeout (must exceed the checkpoint interval plus the time
   * a checkpoint takes).
   */
  public static <T> TwoPhaseCommitSink<T> transactional(
      Log log, String topic, Encoder<? super T> encoder, TransactionConfig config) {
    return new Transactional<>(log, topic, null, encoder, Objects.requireNonNull(config, "config"));
  }

  /** A two-phase-commit sink into {@code topic}, partitioned by the key {@code keyEncoder} gives each record. */
  public static <T> TwoPhaseCommitSink<T> transactional(
      Log log, String topic, Encoder<? super T> keyEncoder, Encoder<? super T> encoder) {
    return new Transactional<>(log, topic, Objects.requireNonNull(keyEncoder, "keyEncoder"), encoder,
        DEFAULT_TRANSACTION_CONFIG);
  }

  /** A plain write-through sink (idempotent producer); effects may repeat after replay. */
  public static <T> WriteThroughSink<T> plain(Log log, String topic, Encoder<? super T> encoder) {
    return new WriteThrough<>(log, topic, null, encoder, false);
  }

  /**
   * An idempotent upsert sink: each record is written under the deterministic key {@code keyEncoder} gives it; the
   * topic read as a table (last value per key) is the same however often a record was replayed. An at-least-once
   * pipeline writing it takes aligned snapshots ({@link dev.onceflow.core.sink.Sink#needsAlignedSnapshots()}), so a
   * value computed from state is never replaced by an overcount after a restore.
   */
  public static <T> WriteThroughSink<T> upsert(
      Log log, String topic, Encoder<? super T> keyEncoder, Encoder<? super T> encoder) {
    return new WriteThrough<>(log, topic, Objects.requireNonNull(keyEncoder, "keyEncoder"), encoder, true);
  }

  private static void requireTopic(Log log, String topic) {
    if (!log.topicExists(topic)) {
      throw new IllegalArgumentException("LogSink: topic '" + topic + "' does not exist; create it first");
    }
  }

  private static final class WriteThrough<T> implements WriteThroughSink<T> {
    private final Log log;
    private final String topic;
    private final Encoder<? super T> keyEncoder;
    private final Encoder<? super T> encoder;
    private final boolean idempotent;

    WriteThrough(Log log, String topic, Encoder<? super T> keyEncoder, Encoder<? super T> encoder, boolean idem) {
      this.log = Objects.requireNonNull(log, "log");
      this.topic = Objects.requireNonNull(topic, "topic");
      this.keyEncoder = keyEncoder;
      this.encoder = Objects.requireNonNull(encoder, "encoder");
      this.idempotent = idem;
    }

    @Override
    public String name() {
      return (idempotent ? "log-upsert-" : "log-") + topic;
    }

    @Override
    public boolean idempotent() {
      return idempotent;
    }

    /** An upsert replaces values, so under at-least-once it needs snapshots consistent with the positions. */
    @Override
    public boolean needsAlignedSnapshots() {
      return idempotent;
    }

    @Override
    public SinkWriter<T> createWriter(SinkContext ctx) {
      requireTopic(log, topic);
      Producer producer = log.idempotentProducer();
      RecordRouter<T> router =
          new RecordRouter<>(topic, log.partitions(topic), keyEncoder, encoder, ctx.subtask());
      return new SinkWriter<>() {
        @Override
        public void write(T record) {
          router.add(record, producer::sendBatch);
        }

        @Override
        public void flush() {
          router.flushAll(producer::sendBatch);
        }

        @Override
        public void close() {
          producer.close();
        }
      };
    }
  }

  private static final class Transactional<T> implements TwoPhaseCommitSink<T> {
    private final Log log;
    private final String topic;
    private final Encoder<? super T> keyEncoder;
    private final Encoder<? super T> encoder;
    private final TransactionConfig config;

    Transactional(Log log, String topic, Encoder<? super T> keyEncoder, Encoder<? super T> encoder,
        TransactionConfig config) {
      this.config = config;
      this.log = Objects.requireNonNull(log, "log");
      this.topic = Objects.requireNonNull(topic, "topic");
      this.keyEncoder = keyEncoder;
      this.encoder = Objects.requireNonNull(encoder, "encoder");
    }

    @Override
    public String name() {
      return "log-" + topic;
    }

    @Override
    public TwoPhaseCommitWriter<T> createWriter(SinkContext ctx) {
      requireTopic(log, topic);
      TransactionalProducer producer = log.transactionalProducer(ctx.subtaskId(), config);
      producer.initTransactions();
      RecordRouter<T> router =
          new RecordRouter<>(topic, log.partitions(topic), keyEncoder, encoder, ctx.subtask());
      java.util.concurrent.ExecutorService preparer = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "onceflow-log-sink-prepare-" + ctx.subtaskId());
        t.setDaemon(true);
        return t;
      });
      return new TwoPhaseCommitWriter<>() {
        private boolean open;
        private boolean empty;

        @Override
        public void beginTransaction() {
          producer.beginTransaction();
          open = true;
          empty = true;
        }

        @Override
        public void write(T record) {
          empty = false;
          router.add(record, producer::sendBatch);
        }

        @Override
        public byte[] preCommit(long checkpointId) {
          router.flushAll(producer::sendBatch);
          open = false;
          if (empty) {
            producer.abortTransaction(); // nothing to commit: do not leave an empty prepared transaction behind
            return new byte[0];
          }
          return producer.prepare().toBytes();
        }

        /**
         * Seals the transaction on the task thread (its records are written, not forced) and leaves the two fsyncs of
         * the preparation (data, then the PREPARED record) to the writer's preparer thread: the task goes on with the
         * next transaction and forwards the barrier at once. The checkpoint is acknowledged only once the preparation
         * is durable ({@link dev.onceflow.core.sink.DeferredToken}); the writer's close does not stop it.
         */
        @Override
        public DeferredToken preCommitDeferred(long checkpointId) {
          router.flushAll(producer::sendBatch);
          open = false;
          if (empty) {
            producer.abortTransaction(); // nothing to commit: do not leave an empty prepared transaction behind
            return DeferredToken.ready(new byte[0]);
          }
          PreparingTransaction preparing = producer.prepareDeferred();
          // Started at once on the writer's own preparer thread, not when the checkpoint I/O thread gets to it: the
          // subtasks' preparations then run concurrently and share their fsyncs (group commit), instead of one after
          // the other on the single I/O thread. The I/O thread only waits for the result, within the timeout.
          java.util.concurrent.CompletableFuture<byte[]> prepared = java.util.concurrent.CompletableFuture.supplyAsync(
              () -> preparing.complete().toBytes(), preparer);
          return timeout -> {
            try {
              return prepared.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
              throw e.getCause() instanceof Exception cause ? cause : e;
            }
          };
        }

        @Override
        public void abort() {
          router.clear();
          if (open) {
            producer.abortTransaction();
            open = false;
          }
        }

        @Override
        public void close() {
          preparer.shutdown(); // a preparation already started still finishes (the contract of preCommitDeferred)
          producer.close();
        }
      };
    }

    @Override
    public void commit(byte[] token) {
      if (token.length == 0) {
        return;
      }
      PreparedTransaction txn = PreparedTransaction.fromBytes(token);
      CompletionResult r = log.commitPrepared(txn);
      LOG.debug("Commit of {} seq {}: {}", txn.transactionalId(), txn.transactionSequence(), r);
    }

    /**
     * Every subtask's due transactions in one call of the log: the decisions share one coordinator fsync and the
     * markers one fsync per partition, instead of that much per transaction (each subtask's transaction touches every
     * partition it routed a record to). Each is still committed on its own and idempotently.
     */
    @Override
    public void commitAll(List<byte[]> tokens) {
      List<PreparedTransaction> txns = new java.util.ArrayList<>(tokens.size());
      for (byte[] token : tokens) {
        if (token.length > 0) {
          txns.add(PreparedTransaction.fromBytes(token));
        }
      }
      if (txns.isEmpty()) {
        return;
      }
      List<CompletionResult> results = log.commitPrepared(txns);
      if (LOG.isDebugEnabled()) {
        for (int i = 0; i < txns.size(); i++) {
          LOG.debug("Commit of {} seq {}: {}", txns.get(i).transactionalId(), txns.get(i).transactionSequence(),
              results.get(i));
        }
      }
    }

    @Override
    public void abortLingering(SinkContext ctx, List<byte[]> recordedTokens) {
      Set<Long> recorded = new HashSet<>();
      for (byte[] t : recordedTokens) {
        if (t.length > 0) {
          recorded.add(PreparedTransaction.fromBytes(t).transactionSequence());
        }
      }
      String id = ctx.subtaskId();
      for (PreparedTransaction p : log.preparedTransactions(id)) {
        if (p.transactionalId().equals(id) && !recorded.contains(p.transactionSequence())) {
          CompletionResult r = log.abortPrepared(p);
          LOG.info("Recovery of {}: aborted lingering prepared transaction seq {} ({})", id,
              p.transactionSequence(), r);
        }
      }
    }
  }
}
