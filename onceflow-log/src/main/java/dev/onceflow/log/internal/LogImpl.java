package dev.onceflow.log.internal;

import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.FsyncPolicy;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import dev.onceflow.log.LogStats;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.Producer;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionConfig;
import dev.onceflow.log.TransactionalProducer;
import dev.onceflow.log.UnknownTopicException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.System.Logger.Level;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The {@link Log} implementation. Directory layout:
 *
 * <pre>
 * LOCK                          owner's pid; OS file lock
 * meta/coordinator.dat          producer ids, transactional ids, transactions, group offsets
 * topics/&lt;topic&gt;/topic.properties  the topic's config (written atomically; a topic without it never existed)
 * topics/&lt;topic&gt;/&lt;partition&gt;/&lt;base offset&gt;.seg   segments
 * </pre>
 */
public final class LogImpl implements Log {
  private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,200}");

  private final Path dir;
  private final LogConfig config;
  private final LogContext ctx;
  private final DirectoryLock lock;
  private Coordinator coordinator;
  private TransactionOps transactions;
  private final ConcurrentHashMap<String, TopicState> topics = new ConcurrentHashMap<>();
  private final ScheduledExecutorService background;

  private record TopicState(TopicConfig config, PartitionLog[] partitions) {}

  private LogImpl(Path dir, LogConfig config, DirectoryLock lock) {
    this.dir = dir;
    this.config = config;
    this.lock = lock;
    this.ctx = new LogContext(config.fsyncPolicy(), config.readOnly());
    this.background = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "onceflow-log-maintenance " + dir.getFileName());
      t.setDaemon(true);
      return t;
    });
  }

  /** Opens and recovers the log in dir. */
  public static Log open(Path dir, LogConfig config) {
    Objects.requireNonNull(dir, "dir");
    Objects.requireNonNull(config, "config");
    Path real;
    try {
      if (!config.readOnly()) {
        Files.createDirectories(dir);
      }
      real = dir.toRealPath();
    } catch (IOException e) {
      throw new UncheckedIOException((config.readOnly() ? "no log directory " : "cannot create log directory ")
          + dir + ": " + e.getMessage(), e);
    }
    DirectoryLock lock = config.readOnly() ? DirectoryLock.acquireShared(real) : DirectoryLock.acquire(real);
    LogImpl log = new LogImpl(real, config, lock);
    try {
      log.recover();
    } catch (IOException e) {
      log.close();
      throw new UncheckedIOException("cannot open log directory " + real + ": " + e.getMessage(), e);
    } catch (RuntimeException | Error e) {
      log.close();
      throw e;
    }
    return log;
  }

  private void recover() throws IOException {
    coordinator = Coordinator.open(dir.resolve("meta"), ctx);
    transactions = new TransactionOps(coordinator, tp -> {
      TopicState t = topics.get(tp.topic());
      return t == null || tp.partition() >= t.partitions.length ? null : t.partitions[tp.partition()];
    });
    Path topicsDir = dir.resolve("topics");
    if (!ctx.readOnly()) {
      Files.createDirectories(topicsDir);
    }
    List<Path> topicDirs = List.of();
    if (Files.isDirectory(topicsDir)) {
      try (var s = Files.list(topicsDir)) {
        topicDirs = s.filter(Files::isDirectory).sorted().toList();
      }
    }
    for (Path td : topicDirs) {
      String name = td.getFileName().toString();
      Path props = td.resolve(TopicConfigFile.NAME);
      if (!Files.exists(props)) {
        LogContext.LOGGER.log(Level.WARNING, "Recovery: ignoring {0}: its creation never completed (no {1})", td,
            TopicConfigFile.NAME);
        continue;
      }
      TopicConfig tc = TopicConfigFile.read(props);
      PartitionLog[] parts = new PartitionLog[tc.partitions()];
      for (int p = 0; p < parts.length; p++) {
        parts[p] = PartitionLog.open(new TopicPartition(name, p), td.resolve(Integer.toString(p)), tc, ctx);
      }
      topics.put(name, new TopicState(tc, parts));
    }
    transactions.recover(allPartitions(), ctx.readOnly());
    if (ctx.readOnly()) {
      return; // no maintenance: it would write
    }
    long interval = config.maintenanceInterval().toMillis();
    background.scheduleWithFixedDelay(this::maintain, interval, interval, TimeUnit.MILLISECONDS);
    if (config.fsyncPolicy() instanceof FsyncPolicy.EveryMillis em) {
      background.scheduleWithFixedDelay(this::flushAll, em.millis(), em.millis(), TimeUnit.MILLISECONDS);
    }
  }

  private List<PartitionLog> allPartitions() {
    List<PartitionLog> all = new ArrayList<>();
    for (TopicState t : topics.values()) {
      all.addAll(List.of(t.partitions));
    }
    return all;
  }

  private void maintain() {
    if (ctx.failed() || ctx.isClosed()) {
      return;
    }
    try {
      long now = System.currentTimeMillis();
      transactions.abortTimedOut(now);
      enforceRetention(now);
      coordinator.maybeCompact();
    } catch (RuntimeException e) {
      LogContext.LOGGER.log(Level.ERROR, "Log maintenance failed; will retry", e);
    }
  }

  /** Runs retention on every partition now (also runs periodically). */
  public void enforceRetention(long nowMillis) {
    ctx.checkWritable();
    for (PartitionLog p : allPartitions()) {
      p.enforceRetention(nowMillis, coordinator.groupFloor(p.tp));
    }
  }

  private void flushAll() {
    if (ctx.failed() || ctx.isClosed()) {
      return;
    }
    try {
      for (PartitionLog p : allPartitions()) {
        p.flushIfDirty();
      }
    } catch (RuntimeException e) {
      LogContext.LOGGER.log(Level.ERROR, "Periodic flush failed", e);
    }
  }

  // ---- topics ----

  @Override
  public synchronized void createTopic(String topic, TopicConfig topicConfig) {
    ctx.check();
    ctx.checkWritable();
    Objects.requireNonNull(topicConfig, "config");
    if (topic == null || !TOPIC_NAME.matcher(topic).matches()) {
      throw new IllegalArgumentException("invalid topic name '" + topic + "': use 1-200 of [A-Za-z0-9._-]");
    }
    TopicState existing = topics.get(topic);
    if (existing != null) {
      if (existing.config.partitions() != topicConfig.partitions()) {
        throw new IllegalArgumentException("topic " + topic + " already exists with " + existing.config.partitions()
            + " partitions, not " + topicConfig.partitions() + "; use another name");
      }
      return;
    }
    try {
      Path topicsDir = dir.resolve("topics");
      Path td = topicsDir.resolve(topic);
      Files.createDirectories(td);
      PartitionLog[] parts = new PartitionLog[topicConfig.partitions()];
      for (int p = 0; p < parts.length; p++) {
        parts[p] = PartitionLog.open(new TopicPartition(topic, p), td.resolve(Integer.toString(p)), topicConfig, ctx);
      }
      ctx.fsyncDirectory(td);
      TopicConfigFile.write(td, topicConfig, ctx);
      ctx.fsyncDirectory(topicsDir);
      topics.put(topic, new TopicState(topicConfig, parts));
    } catch (IOException e) {
      throw ctx.fail("creating topic " + topic, e);
    }
  }

  @Override
  public boolean topicExists(String topic) {
    ctx.check();
    return topics.containsKey(topic);
  }

  @Override
  public int partitions(String topic) {
    ctx.check();
    return topic(topic).config.partitions();
  }

  @Override
  public Set<String> topics() {
    ctx.check();
    return Set.copyOf(new TreeSet<>(topics.keySet()));
  }

  /** The topic's config. */
  public TopicConfig topicConfig(String topic) {
    return topic(topic).config;
  }

  private TopicState topic(String topic) {
    TopicState t = topics.get(topic);
    if (t == null) {
      throw new UnknownTopicException("topic '" + topic + "' does not exist in " + dir
          + "; create it with Log.createTopic");
    }
    return t;
  }

  PartitionLog partition(TopicPartition tp) {
    ctx.check();
    TopicState t = topic(tp.topic());
    if (tp.partition() >= t.partitions.length) {
      throw new UnknownTopicException("partition " + tp + " does not exist: topic " + tp.topic() + " has "
          + t.partitions.length + " partitions");
    }
    return t.partitions[tp.partition()];
  }

  // ---- producers and consumers ----

  @Override
  public Producer producer() {
    ctx.check();
    ctx.checkWritable();
    return new ProducerImpl(this, -1);
  }

  @Override
  public Producer idempotentProducer() {
    ctx.check();
    ctx.checkWritable();
    return new ProducerImpl(this, coordinator.allocateProducerId());
  }

  @Override
  public TransactionalProducer transactionalProducer(String transactionalId) {
    return transactionalProducer(transactionalId, TransactionConfig.DEFAULT);
  }

  @Override
  public TransactionalProducer transactionalProducer(String transactionalId, TransactionConfig txnConfig) {
    ctx.check();
    ctx.checkWritable();
    Objects.requireNonNull(transactionalId, "transactionalId");
    Objects.requireNonNull(txnConfig, "config");
    if (transactionalId.isEmpty()) {
      throw new IllegalArgumentException("transactionalId must not be empty");
    }
    return new TransactionalProducerImpl(this, coordinator.state(transactionalId), txnConfig);
  }

  @Override
  public Consumer consumer(ConsumerConfig consumerConfig) {
    ctx.check();
    return new ConsumerImpl(this, Objects.requireNonNull(consumerConfig, "config"));
  }

  // ---- transactions ----

  @Override
  public CompletionResult commitPrepared(PreparedTransaction token) {
    ctx.check();
    ctx.checkWritable();
    return transactions.complete(Objects.requireNonNull(token, "token"), true);
  }

  @Override
  public List<CompletionResult> commitPrepared(List<PreparedTransaction> tokens) {
    ctx.check();
    ctx.checkWritable();
    for (PreparedTransaction t : Objects.requireNonNull(tokens, "tokens")) {
      Objects.requireNonNull(t, "a token in tokens");
    }
    return transactions.commitAll(tokens);
  }

  @Override
  public CompletionResult abortPrepared(PreparedTransaction token) {
    ctx.check();
    ctx.checkWritable();
    return transactions.complete(Objects.requireNonNull(token, "token"), false);
  }

  @Override
  public List<PreparedTransaction> preparedTransactions(String transactionalIdPrefix) {
    ctx.check();
    return transactions.prepared(Objects.requireNonNull(transactionalIdPrefix, "transactionalIdPrefix"));
  }

  // ---- offsets ----

  @Override
  public long startOffset(TopicPartition tp) {
    return partition(tp).startOffset();
  }

  @Override
  public long endOffset(TopicPartition tp) {
    return partition(tp).endOffset();
  }

  @Override
  public long lastStableOffset(TopicPartition tp) {
    return partition(tp).lastStableOffset();
  }

  @Override
  public OptionalLong committedOffset(String group, TopicPartition tp) {
    ctx.check();
    return coordinator.committed(group, tp);
  }

  @Override
  public void commitOffsets(String group, Map<TopicPartition, Long> offsets) {
    ctx.check();
    ctx.checkWritable();
    Objects.requireNonNull(group, "group");
    if (group.isEmpty()) {
      throw new IllegalArgumentException("group must not be empty");
    }
    for (Map.Entry<TopicPartition, Long> e : offsets.entrySet()) {
      partition(e.getKey());
      if (e.getValue() < 0) {
        throw new IllegalArgumentException("offset of " + e.getKey() + " must be >= 0, was " + e.getValue());
      }
    }
    coordinator.commitGroup(group, Map.copyOf(offsets));
  }

  @Override
  public boolean deleteGroup(String group) {
    ctx.check();
    ctx.checkWritable();
    return coordinator.deleteGroup(Objects.requireNonNull(group, "group"));
  }

  @Override
  public Map<String, Map<TopicPartition, Long>> groupOffsets() {
    ctx.check();
    return coordinator.groups();
  }

  @Override
  public LogStats stats() {
    ctx.check();
    List<LogStats.PartitionStats> parts = new ArrayList<>();
    for (String name : new TreeSet<>(topics.keySet())) {
      for (PartitionLog p : topics.get(name).partitions) {
        parts.add(new LogStats.PartitionStats(p.tp, p.startOffset(), p.endOffset(), p.lastStableOffset(),
            p.segments.size(), p.segmentBytes(), p.producerIds()));
      }
    }
    List<LogStats.TransactionStats> txns = new ArrayList<>();
    long now = System.currentTimeMillis();
    for (String id : new TreeSet<>(coordinator.ids.keySet())) {
      TransactionalIdState st = coordinator.ids.get(id);
      st.lock.readLock().lock();
      try {
        for (Txn t : st.open.values()) {
          txns.add(new LogStats.TransactionStats(id, st.producerId, st.epoch, t.seq, t.state, t.partitions,
              Math.max(0, now - t.startMillis)));
        }
      } finally {
        st.lock.readLock().unlock();
      }
    }
    return new LogStats(dir.toString(), parts, txns, coordinator.producerIdsAssigned());
  }

  // ---- internals for producers and consumers ----

  LogContext context() {
    return ctx;
  }

  Coordinator coordinator() {
    return coordinator;
  }

  TransactionOps transactions() {
    return transactions;
  }

  /** The directory this log owns. */
  public Path directory() {
    return dir;
  }

  @Override
  public synchronized void close() {
    if (ctx.isClosed()) {
      return;
    }
    ctx.markClosed();
    background.shutdownNow();
    try {
      background.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    for (PartitionLog p : allPartitions()) {
      p.close();
    }
    if (coordinator != null) {
      coordinator.close();
    }
    lock.close();
  }

  @Override
  public String toString() {
    return "Log[" + dir + "]";
  }
}
