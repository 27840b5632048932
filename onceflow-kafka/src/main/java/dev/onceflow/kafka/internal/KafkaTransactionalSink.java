package dev.onceflow.kafka.internal;

import dev.onceflow.core.sink.DeferredToken;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.kafka.KafkaSinkException;
import dev.onceflow.kafka.KafkaTransactionLostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionState;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.TransactionalIdNotFoundException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * EXACTLY_ONCE: one Kafka transaction per sink subtask per checkpoint.
 *
 * <ul>
 *   <li>Each subtask owns a fixed pool of transactional ids {@code <prefix>-<subtask>-<k>}, k &lt; pool size. A
 *       transaction begins on a free producer of the pool; on the barrier of checkpoint n the writer appends a marker
 *       record (to partition {@code subtask} of the marker topic) to the transaction, flushes, and returns the token
 *       (id, producer id, epoch, protocol version, marker offset). The producer stays busy until n's commit.
 *   <li>Commit, once checkpoint n completed: in the same process by the producer that holds the transaction; in a
 *       later process (the trap: killed after n completed, before its commit reached the broker) by a fresh producer
 *       resumed with the token's producer id and epoch ({@link ProducerResume}). Before resuming, the marker decides:
 *       marker committed = done already (an id is reused only after its commit, so a resumed commit can never end a
 *       later transaction of the same id under protocol v1, where epochs repeat); otherwise the broker must still
 *       hold the token's open transaction (same producer id and epoch), or the transaction was aborted (timeout) and
 *       the job fails with {@link KafkaTransactionLostException}.
 *   <li>abortLingering fences every id of the subtask's pool (Admin fenceProducers): open transactions of a crashed
 *       process are aborted and any zombie producer is fenced.
 * </ul>
 */
public final class KafkaTransactionalSink<T> implements TwoPhaseCommitSink<T> {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaTransactionalSink.class);
  private static final Duration WAIT = Duration.ofSeconds(120);

  private final SinkSettings<T> s;
  private final String name;
  /** Producers of this JVM holding a prepared transaction, by transactional id: committed in process. */
  private final Map<String, Pooled> prepared = new ConcurrentHashMap<>();
  /**
   * Threads of {@link #commitAll} for all subtasks but the first: created on demand, gone after a minute unused (a
   * sink has no close of its own to stop them).
   */
  private final java.util.concurrent.ExecutorService committers = new java.util.concurrent.ThreadPoolExecutor(0,
      Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "onceflow-kafka-sink-commit");
        t.setDaemon(true);
        return t;
      });
  /**
   * Threads flushing prepared transactions (one per subtask preparing at the same moment), started on the barrier:
   * the runtime awaits the tokens one after the other on its single checkpoint I/O thread, so a flush begun there
   * started only once the previous subtask's round trip was over (and once the thread got to it). Same lifetime as
   * {@link #committers}.
   */
  private final java.util.concurrent.ExecutorService flushers = new java.util.concurrent.ThreadPoolExecutor(0,
      Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
        Thread t = new Thread(r, "onceflow-kafka-sink-flush");
        t.setDaemon(true);
        return t;
      });
  private final java.util.concurrent.atomic.AtomicLong recoveredCommits = new java.util.concurrent.atomic.AtomicLong();
  /** The clash lease, held while a writer of this sink is open in this process. Guarded by this. */
  private PipelineLease lease;
  private int openWriters;

  /** The sink for {@code settings}, named {@code name}. */
  public KafkaTransactionalSink(SinkSettings<T> settings, String name) {
    this.s = settings;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  /** The transactional id prefix of a pipeline's sink: the configured one, or {@code onceflow-<job>-<sink>}. */
  public String prefix(String jobName) {
    String p = s.transactionalIdPrefix() != null ? s.transactionalIdPrefix() : "onceflow-" + jobName + "-" + name;
    return p.replaceAll("[^a-zA-Z0-9._-]", "_");
  }

  /** The ids of a subtask's pool. */
  public List<String> transactionalIds(String jobName, int subtask) {
    List<String> ids = new ArrayList<>();
    for (int k = 0; k < s.producersPerSubtask(); k++) {
      ids.add(prefix(jobName) + "-" + subtask + "-" + k);
    }
    return ids;
  }

  private String markerTopic(String jobName) {
    return prefix(jobName) + ".markers";
  }

  /** One pooled transactional producer. State guarded by the writer's pool monitor. */
  private static final class Pooled {
    final String id;
    final KafkaProducer<byte[], byte[]> producer;
    final SendErrors errors;
    final Object pool;
    boolean busy; // open or prepared
    long preparedCheckpoint = -1;
    boolean closed; // guarded by this: a commit and the writer's close never overlap
    /** Guarded by this: the writer closed, leaving this producer open for its prepared transaction's commit. */
    boolean closeAfterCommit;
    /** Completed once the deferred token of the transaction prepared last on it resolved (or failed to). */
    volatile CompletableFuture<Void> preparing = CompletableFuture.completedFuture(null);

    Pooled(String id, KafkaProducer<byte[], byte[]> producer, Object pool) {
      this.id = id;
      this.producer = producer;
      this.errors = new SendErrors("Kafka sink " + id);
      this.pool = pool;
    }

    void release() {
      synchronized (pool) {
        busy = false;
        preparedCheckpoint = -1;
        pool.notifyAll();
      }
    }
  }

  private Properties transactionalProducer(String id) {
    Properties p = s.baseProducer(id);
    p.put("transactional.id", id);
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.putIfAbsent("transaction.timeout.ms", Long.toString(s.transactionTimeout().toMillis()));
    return p;
  }

  private long timeoutMillis() {
    return Long.parseLong(s.producerProperties().getProperty("transaction.timeout.ms",
        Long.toString(s.transactionTimeout().toMillis())));
  }

  private void ensureMarkerTopic(Admin admin, String topic, int partitions) throws Exception {
    ensureTopic(admin, topic, partitions, Map.of("retention.ms", Long.toString(s.markerRetention().toMillis()),
        "cleanup.policy", "delete"));
  }

  /**
   * Creates {@code topic} with {@code partitions} partitions, or grows it to that many; safe when other subtasks and
   * processes do the same at the same moment.
   */
  public static void ensureTopic(Admin admin, String topic, int partitions, Map<String, String> configs) throws Exception {
    try {
      admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty()).configs(configs)))
          .all().get(60, TimeUnit.SECONDS);
      LOG.info("Created the transaction marker topic {} with {} partitions", topic, partitions);
    } catch (ExecutionException e) {
      if (!(e.getCause() instanceof TopicExistsException)) {
        throw e;
      }
      if (partitionCount(admin, topic) < partitions) {
        try {
          admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(partitions))).all().get(60, TimeUnit.SECONDS);
        } catch (ExecutionException raced) {
          if (!(raced.getCause() instanceof InvalidPartitionsException)) {
            throw raced;
          }
        }
      }
    }
  }

  /**
   * The partition count of a topic that exists. Another subtask (or process) may have created it a moment ago: the
   * broker then says it exists to a create but does not describe it yet (UnknownTopicOrPartition; found by the
   * Kafka soak, a child failing at its first start), so the describe is retried until it answers, bounded.
   */
  private static int partitionCount(Admin admin, String topic) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (true) {
      try {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(60, TimeUnit.SECONDS).get(topic)
            .partitions().size();
      } catch (ExecutionException e) {
        if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(20); // the broker's metadata: nothing to wait on but another describe
      }
    }
  }

  @Override
  public TwoPhaseCommitWriter<T> createWriter(SinkContext ctx) throws Exception {
    String markers = markerTopic(ctx.jobName());
    try (Admin admin = Admin.create(s.admin())) {
      ensureMarkerTopic(admin, markers, Math.max(ctx.parallelism(), ctx.subtask() + 1));
    }
    synchronized (this) {
      if (lease == null) {
        lease = PipelineLease.acquire(s, prefix(ctx.jobName()) + ".lease", markers);
      }
      openWriters++;
    }
    return new Writer(ctx, markers);
  }

  private synchronized void writerClosed() {
    if (--openWriters == 0 && lease != null) {
      lease.release();
      lease = null;
    }
  }

  private final class Writer implements TwoPhaseCommitWriter<T> {
    private final SinkContext ctx;
    private final String markerTopic;
    private final List<String> ids;
    private final Pooled[] pool;
    private Pooled current;
    private volatile boolean aborted;

    Writer(SinkContext ctx, String markerTopic) {
      this.ctx = ctx;
      this.markerTopic = markerTopic;
      this.ids = transactionalIds(ctx.jobName(), ctx.subtask());
      this.pool = new Pooled[ids.size()];
    }

    @Override
    public void beginTransaction() throws Exception {
      Pooled p = take();
      p.errors.reset();
      try {
        p.producer.beginTransaction();
      } catch (ProducerFencedException e) {
        throw fenced(p.id, e);
      }
      current = p;
    }

    /** A free producer of the pool (all opened at the first call); waits for a commit to free one. */
    private Pooled take() throws Exception {
      long deadline = System.nanoTime() + WAIT.toNanos();
      synchronized (this) {
        // The whole pool at the first take (the writer's open): initTransactions is a round trip to the
        // transaction coordinator, which a producer opened on demand would pay on the task thread inside the
        // barrier of a later checkpoint (seen in the benchmark's profile: ~130 ms per producer under load).
        for (int k = 0; k < pool.length; k++) {
          if (pool[k] == null) {
            pool[k] = open(ids.get(k));
          }
        }
        while (true) {
          for (int k = 0; k < pool.length; k++) {
            if (!pool[k].busy) {
              pool[k].busy = true;
              return pool[k];
            }
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            throw new IllegalStateException("Kafka sink " + ctx.subtaskId() + ": all " + pool.length
                + " transactional producers still hold prepared transactions waiting for their checkpoints to "
                + "complete; raise producersPerSubtask or check why checkpoints do not complete");
          }
          wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
        }
      }
    }

    private Pooled open(String id) {
      KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(transactionalProducer(id),
          new ByteArraySerializer(), new ByteArraySerializer());
      try {
        producer.initTransactions(); // fences any older producer of this id and aborts its open transaction
      } catch (RuntimeException e) {
        producer.close(Duration.ZERO);
        throw e instanceof ProducerFencedException ? fenced(id, e) : e;
      }
      return new Pooled(id, producer, this);
    }

    @Override
    public void write(T record) {
      current.errors.check();
      byte[] key = s.keyEncoder() == null ? null : s.keyEncoder().encode(record);
      try {
        current.producer.send(new ProducerRecord<>(s.topicOf().apply(record), key, s.valueEncoder().encode(record)),
            current.errors);
      } catch (ProducerFencedException e) {
        throw fenced(current.id, e);
      } catch (KafkaException e) {
        throw new KafkaSinkException("Kafka sink " + current.id + ": the transaction failed (" + e
            + (e.getCause() != null ? ", caused by " + e.getCause() : "") + "); the job fails", e);
      }
    }

    @Override
    public byte[] preCommit(long checkpointId) throws Exception {
      return preCommitDeferred(checkpointId).await(WAIT);
    }

    /**
     * Appends the marker and hands the transaction's producer over to a flusher thread: the task goes on at once
     * with the next producer of the pool (beginTransaction), the flush (every record of the transaction and the
     * marker sent at once, without waiting for linger.ms, and acknowledged) starts now, in parallel with the other
     * subtasks' flushes, and the runtime awaits its end through the returned token on the checkpoint I/O thread,
     * before the checkpoint is acknowledged. No thread but the flusher uses this producer until the token resolved:
     * the next writes go to another producer, and its commit comes only after the checkpoint completed.
     */
    @Override
    public DeferredToken preCommitDeferred(long checkpointId) throws Exception {
      Pooled p = current;
      p.errors.check();
      String marker = ctx.jobName() + "/" + name + "/" + ctx.subtask() + "/checkpoint " + checkpointId;
      java.util.concurrent.Future<RecordMetadata> ack;
      try {
        ack = p.producer.send(new ProducerRecord<>(markerTopic, ctx.subtask(), null,
            marker.getBytes(StandardCharsets.UTF_8)), p.errors);
      } catch (ProducerFencedException e) {
        throw fenced(p.id, e);
      }
      CompletableFuture<Void> done = new CompletableFuture<>();
      p.preparing = done;
      synchronized (this) {
        p.preparedCheckpoint = checkpointId;
      }
      prepared.put(p.id, p);
      current = null;
      CompletableFuture<Void> flushed = CompletableFuture.runAsync(p.producer::flush, flushers);
      return timeout -> {
        try {
          long deadline = System.nanoTime() + timeout.toNanos();
          try {
            flushed.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
          } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
          }
          p.errors.check();
          RecordMetadata md = ack.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
          // the epoch the transaction was written with: read once all of it is acknowledged, as before its end
          Object[] idEpoch = ProducerResume.idEpochAndVersion(p.producer);
          return new TxnToken(p.id, (Long) idEpoch[0], (Short) idEpoch[1], (Boolean) idEpoch[2], checkpointId,
              markerTopic, md.partition(), md.offset(), s.clock().millis(), timeoutMillis()).toBytes();
        } finally {
          done.complete(null);
        }
      };
    }

    @Override
    public void abort() {
      aborted = true;
      Pooled p = current;
      current = null;
      if (p == null) {
        return;
      }
      try {
        p.producer.abortTransaction();
      } catch (KafkaException e) {
        LOG.warn("Kafka sink {}: aborting the open transaction failed ({}); the next start fences it", p.id,
            e.toString());
      }
      p.release();
    }

    @Override
    public void close() {
      for (Pooled p : pool) {
        if (p != null && !aborted && !p.preparing.isDone()) {
          // after the final checkpoint's barrier the runtime closes the writer while the token may still be awaited
          // on the checkpoint I/O thread: closing the producer now would fail the records it has not sent yet
          try {
            p.preparing.get(WAIT.toSeconds(), TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } catch (Exception e) {
            LOG.warn("Kafka sink {}: the last prepared transaction was not acknowledged in {} s; closing its producer"
                + " (the checkpoint cannot complete without it)", p.id, WAIT.toSeconds());
          }
        }
      }
      // Closed right after a prepare with no transaction begun since (the end of a bounded input: the final
      // checkpoint's barrier, then close): that transaction's commit is due as soon as the checkpoint completes, which
      // the runtime may do after this close (a sink in a later stage than the source). Its producer stays open for
      // that commit; closing it made the commit a recovery (Admin describe, marker read, resumed producer): ~1.5 s
      // at the end of every such job. Not committed within WAIT (the checkpoint failed, the job was cancelled), it is
      // closed anyway and the transaction stays prepared, as after a crash.
      boolean endOfInput = current == null && !aborted;
      for (Pooled p : pool) {
        if (p != null) {
          synchronized (p) { // waits for an in-process commit under way on the coordinator thread
            if (endOfInput && prepared.get(p.id) == p) {
              p.closeAfterCommit = true;
              CompletableFuture.runAsync(() -> closeUncommitted(p),
                  CompletableFuture.delayedExecutor(WAIT.toMillis(), TimeUnit.MILLISECONDS));
              continue;
            }
            prepared.remove(p.id, p);
            p.closed = true;
            // ZERO: a plain close would abort the open transaction; prepared ones must stay prepared
            p.producer.close(Duration.ZERO);
          }
        }
      }
      writerClosed();
    }
  }

  private KafkaSinkException fenced(String id, Exception e) {
    return new KafkaSinkException("Kafka sink: transactional id " + id + " was taken over by another producer: "
        + "another process runs a pipeline with the same name and sink (or the same transactionalIdPrefix). Stop "
        + "it, or give one of them another prefix", e);
  }

  /**
   * The subtasks' commits of one checkpoint at once: each is a round trip to the transaction coordinator (EndTxn),
   * one after the other they added up on the coordinator thread, which triggers no checkpoint meanwhile. A subtask's
   * tokens (its marker partition) stay in checkpoint order, on one thread.
   */
  @Override
  public void commitAll(List<byte[]> tokens) throws Exception {
    Map<Integer, List<byte[]>> bySubtask = new java.util.LinkedHashMap<>();
    for (byte[] token : tokens) {
      bySubtask.computeIfAbsent(TxnToken.fromBytes(token).markerPartition(), k -> new ArrayList<>()).add(token);
    }
    List<List<byte[]>> groups = new ArrayList<>(bySubtask.values());
    if (groups.isEmpty()) {
      return;
    }
    List<CompletableFuture<Void>> others = new ArrayList<>();
    for (List<byte[]> g : groups.subList(1, groups.size())) {
      others.add(CompletableFuture.runAsync(() -> commitInOrder(g), committers));
    }
    Exception first = null;
    try {
      commitInOrder(groups.get(0));
    } catch (java.util.concurrent.CompletionException e) {
      first = e.getCause() instanceof Exception x ? x : e;
    } catch (RuntimeException e) {
      first = e;
    }
    for (CompletableFuture<Void> f : others) {
      try {
        f.join();
      } catch (java.util.concurrent.CompletionException e) {
        if (first == null) {
          first = e.getCause() instanceof Exception x ? x : e;
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }

  private void commitInOrder(List<byte[]> tokens) {
    try {
      for (byte[] token : tokens) {
        commit(token);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new java.util.concurrent.CompletionException(e);
    }
  }

  @Override
  public void commit(byte[] token) throws Exception {
    TxnToken t = TxnToken.fromBytes(token);
    Pooled p = prepared.get(t.transactionalId());
    if (p != null && p.preparedCheckpoint == t.checkpointId()) {
      synchronized (p) {
        if (!p.closed) {
          try {
            p.producer.commitTransaction();
            prepared.remove(t.transactionalId(), p);
            p.release();
            closeIfWriterClosed(p);
            return;
          } catch (KafkaException e) {
            if (!p.closeAfterCommit) {
              throw e instanceof ProducerFencedException ? fenced(t.transactionalId(), e) : e;
            }
            // the writer is gone (e.g. a restarted attempt's producer of this id fenced this one): the marker decides
            LOG.info("Kafka sink {}: committing the last transaction of a closed writer failed ({}); recovering it",
                t.transactionalId(), e.toString());
            prepared.remove(t.transactionalId(), p);
            closeIfWriterClosed(p);
          }
        }
      }
      // the writer closed its producer meanwhile (cancellation): commit as a later process would
    }
    recoverCommit(t);
  }

  /** Closes a producer the writer left open for its last commit, once that commit is done. Guarded by p. */
  private static void closeIfWriterClosed(Pooled p) {
    if (p.closeAfterCommit && !p.closed) {
      p.closed = true;
      p.producer.close(Duration.ZERO);
    }
  }

  /** A producer left open for a commit that did not come within WAIT: closed, its transaction stays prepared. */
  private void closeUncommitted(Pooled p) {
    synchronized (p) {
      if (!p.closed) {
        prepared.remove(p.id, p);
        LOG.info("Kafka sink {}: the last prepared transaction of a closed writer was not committed within {} s;"
            + " closing its producer (a restart resolves the transaction)", p.id, WAIT.toSeconds());
        closeIfWriterClosed(p);
      }
    }
  }

  /**
   * Commits this sink instance made the recovery way (marker read, Admin describe, maybe a resumed producer) instead
   * of on the producer that prepared the transaction: after a restart, and for tokens committed again. A finished
   * bounded job makes none.
   */
  public long recoveredCommits() {
    return recoveredCommits.get();
  }

  /** What the marker partition says of a transaction. */
  private enum Marker { COMMITTED, ABORTED, OPEN, DELETED }

  /**
   * Commits a transaction that a producer of an earlier process (or attempt) prepared, unless it is done. The marker
   * decides; while it is open, the broker must hold the token's transaction (same producer id and epoch) open, and
   * then a resumed producer commits it. A commit the broker is still completing (markers are written after
   * commitTransaction returns) is waited for, bounded.
   */
  private void recoverCommit(TxnToken t) throws Exception {
    recoveredCommits.incrementAndGet();
    long deadline = System.nanoTime() + WAIT.toNanos();
    boolean resumed = false;
    try (Admin admin = Admin.create(s.admin())) {
      while (true) {
        Marker m = marker(t);
        switch (m) {
          case COMMITTED -> {
            LOG.info(resumed ? "Recovery: committed the {} prepared before the restart"
                : "Recovery: the {} was committed before the restart", t);
            return;
          }
          case ABORTED, DELETED -> throw lost(t, describe(admin, t.transactionalId()), m);
          case OPEN -> {
            TransactionDescription d = describe(admin, t.transactionalId());
            boolean ours = d != null && d.producerId() == t.producerId() && d.producerEpoch() == t.epoch();
            if (ours && d.state() == TransactionState.ONGOING && !resumed) {
              resumeAndCommit(t);
              resumed = true;
            } else if (System.nanoTime() > deadline) {
              throw lost(t, d, m);
            } else {
              Thread.sleep(20); // the broker is completing it: poll until decided (bounded by the deadline)
            }
          }
        }
      }
    }
  }

  private KafkaTransactionLostException lost(TxnToken t, TransactionDescription d, Marker marker) {
    long age = s.clock().millis() - t.preparedAtMillis();
    String state = d == null ? "the broker no longer knows the transactional id"
        : "the broker now holds producer id " + d.producerId() + " epoch " + d.producerEpoch() + " in state "
            + d.state();
    String why = marker == Marker.DELETED ? "; its marker record was deleted by the marker topic's retention"
        : marker == Marker.OPEN ? "; it stayed undecided for " + WAIT.toSeconds() + " s"
        : age >= t.timeoutMillis()
            ? "; it was prepared " + age / 1000 + " s ago, past its transaction.timeout.ms of " + t.timeoutMillis()
                + " ms"
            : "; it was prepared " + age / 1000 + " s ago (timeout " + t.timeoutMillis()
                + " ms): someone aborted or fenced it (kafka txn abort/fence?)";
    return new KafkaTransactionLostException(t.checkpointId(), t.transactionalId(), t + ": " + state + why);
  }

  private static TransactionDescription describe(Admin admin, String id) throws Exception {
    try {
      return admin.describeTransactions(List.of(id)).description(id).get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TransactionalIdNotFoundException) {
        return null;
      }
      throw e;
    }
  }

  private void resumeAndCommit(TxnToken t) {
    Properties p = transactionalProducer(t.transactionalId());
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      ProducerResume.resume(producer, t.producerId(), t.epoch(), t.v2());
      producer.commitTransaction();
    }
  }

  /**
   * Whether the token's marker record is committed, aborted, not decided yet, or deleted by retention.
   * Reads read_committed at the marker's offset: only this subtask's transactions write that partition, in order,
   * so the last stable offset passes the marker exactly when its transaction and every earlier one are decided.
   */
  private Marker marker(TxnToken t) {
    Properties p = KafkaSourceReader.filter(s.producerProperties(), ConsumerConfig.configNames());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    TopicPartition tp = new TopicPartition(t.markerTopic(), t.markerPartition());
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      c.assign(List.of(tp));
      long start = c.beginningOffsets(List.of(tp)).get(tp);
      if (start > t.markerOffset()) {
        return Marker.DELETED;
      }
      long stable = c.endOffsets(List.of(tp)).get(tp);
      if (stable <= t.markerOffset()) {
        return Marker.OPEN; // its transaction is not decided yet
      }
      c.seek(tp, t.markerOffset());
      long deadline = System.nanoTime() + WAIT.toNanos();
      while (c.position(tp) <= t.markerOffset()) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
          if (r.offset() == t.markerOffset()) {
            return Marker.COMMITTED;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("reading the marker of the " + t + " took over " + WAIT);
        }
      }
      return Marker.ABORTED; // skipped by read_committed
    }
  }

  @Override
  public void abortLingering(SinkContext ctx, List<byte[]> recordedTokens) throws Exception {
    List<String> ids = transactionalIds(ctx.jobName(), ctx.subtask());
    try (Admin admin = Admin.create(s.admin())) {
      List<String> open = new ArrayList<>();
      for (String id : ids) {
        TransactionDescription d = describe(admin, id);
        if (d != null && d.state() != TransactionState.EMPTY && d.state() != TransactionState.COMPLETE_COMMIT
            && d.state() != TransactionState.COMPLETE_ABORT) {
          open.add(id);
        }
      }
      if (!open.isEmpty()) {
        admin.fenceProducers(open).all().get(60, TimeUnit.SECONDS);
        LOG.info("Recovery of {}: fenced and aborted the open transactions of {}", ctx.subtaskId(), open);
      }
    }
  }
}
