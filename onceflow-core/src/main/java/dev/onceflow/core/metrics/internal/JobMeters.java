package dev.onceflow.core.metrics.internal;

import static dev.onceflow.core.metrics.MetricNames.*;

import dev.onceflow.core.metrics.CheckpointFailureReason;
import dev.onceflow.core.metrics.CheckpointStats;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.window.Deduplicate;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The meters of one job, alive for the job's whole life (every attempt adds to the same counters). The runtime calls
 * it per batch, per checkpoint, per attempt: never per record except {@link SubtaskCounter#increment()} of a sink.
 * Without a registry it records into an empty composite registry, whose meters do nothing.
 */
public final class JobMeters {
  private final MeterRegistry registry;
  private final Tags tags;
  private final SubtaskCounter[][] stageIn;
  private final LongAdder[] stageBlocked;
  private final Map<String, SubtaskCounter[]> sinkWritten = new LinkedHashMap<>();
  private final String sinkName;
  private final List<String> stageLabels;
  private final int parallelism;
  /** Operator id to its counters: [0] records in, [1] records out, per subtask; kept across attempts. */
  private final Map<String, SubtaskCounter[][]> operators = new ConcurrentHashMap<>();
  private volatile IntSupplier pendingTransactions = () -> 0;
  private final AtomicLong restored = new AtomicLong(-1);
  private final AtomicLong lastCheckpoint = new AtomicLong(-1);
  private final Counter committedByCheckpoint;
  private final Counter committedByRecovery;
  private final Counter aborted;
  private final Counter checkpointsCompleted;
  private final Timer checkpointDuration;
  private final Timer visibilityDelay;
  private final DistributionSummary checkpointSize;
  private final Map<String, Timer> phases = new ConcurrentHashMap<>();
  /**
   * Per checkpoint id in flight, in nanoseconds: {longest alignment, longest snapshot write, latest barrier injection
   * (a nanoTime reading), longest synchronous snapshot}.
   */
  private final Map<Long, long[]> inFlight = new ConcurrentHashMap<>();
  /**
   * The highest checkpoint id of this attempt that completed or failed. A subtask may report on a checkpoint after it
   * ended (a slow snapshot write of a checkpoint that timed out): its entry would never be removed, so such reports
   * are dropped.
   */
  private final AtomicLong endedUpTo = new AtomicLong(Long.MIN_VALUE);
  private static final int ALIGNMENT = 0;
  private static final int SNAPSHOT_WRITE = 1;
  private static final int BARRIER_INJECTED = 2;
  private static final int SYNC_SNAPSHOT = 3;
  private final Map<String, LagGauge> lag = new ConcurrentHashMap<>();
  private final List<Deduplicate<?, ?>> deduplicators = new CopyOnWriteArrayList<>();
  private final AtomicLong dedupBefore = new AtomicLong();
  /** Earliest moment a record of the next checkpoint's transactions can have been read; coordinator thread. */
  private volatile long visibleFromNanos = System.nanoTime();

  /** Meters that record nothing (tests and tools that build runtime pieces by hand). */
  public static JobMeters detached() {
    return new JobMeters(null, "detached", List.of(), 1, List.of("sink"), new AtomicLong(), new AtomicLong());
  }

  /**
   * Registers the job's meters.
   *
   * @param registry the user's registry, or null for none
   * @param stages a label per stage (stage 0 is the source stage; its input is {@code recordsRead})
   * @param parallelism subtasks per stage
   * @param sinkNames the names of the pipeline's sinks (the {@code sink} tag of the per-sink records; the meters of
   *     all sinks' transactions carry them joined by commas)
   * @param recordsRead the job's count of source records
   * @param decodeFailures the job's count of dead-lettered source records
   */
  public JobMeters(MeterRegistry registry, String pipeline, List<String> stages, int parallelism,
      List<String> sinkNames, AtomicLong recordsRead, AtomicLong decodeFailures) {
    this.registry = registry == null ? new CompositeMeterRegistry() : registry;
    this.tags = Tags.of("pipeline", pipeline);
    this.sinkName = String.join(",", sinkNames);
    this.stageLabels = List.copyOf(stages);
    this.parallelism = parallelism;
    MeterRegistry r = this.registry;
    counter(SOURCE_RECORDS, recordsRead, AtomicLong::get).tags(tags)
        .description("records emitted by the source subtasks").register(r);
    counter(SOURCE_DEAD_LETTERED, decodeFailures, AtomicLong::get).tags(tags)
        .description("source records that failed to decode and were dead-lettered").register(r);
    stageIn = new SubtaskCounter[stages.size()][parallelism];
    stageBlocked = new LongAdder[stages.size()];
    for (int k = 0; k < stages.size(); k++) {
      SubtaskCounter[] in = stageIn[k];
      for (int i = 0; i < parallelism; i++) {
        in[i] = new SubtaskCounter();
      }
      LongAdder blocked = stageBlocked[k] = new LongAdder();
      Tags st = tags.and("stage", stages.get(k));
      if (k > 0) {
        counter(STAGE_RECORDS_IN, in, JobMeters::sum).tags(st)
            .description("records that entered the stage").register(r);
        counter(CHANNEL_BLOCKED, blocked, b -> b.sum() / 1e9).tags(st).baseUnit("seconds")
            .description("time senders were blocked on the stage's full input channels").register(r);
      }
    }
    for (String name : sinkNames) {
      SubtaskCounter[] written = new SubtaskCounter[parallelism];
      for (int i = 0; i < parallelism; i++) {
        written[i] = new SubtaskCounter();
      }
      sinkWritten.put(name, written);
      counter(SINK_RECORDS, written, JobMeters::sum).tags(tags.and("sink", name))
          .description("records handed to the sink writer").register(r);
    }
    Tags sk = tags.and("sink", sinkName);
    Gauge.builder(SINK_PENDING_TRANSACTIONS, this, m -> m.pendingTransactions.getAsInt()).strongReference(true)
        .tags(sk)
        .description("prepared transactions waiting for their checkpoint's commit").register(r);
    committedByCheckpoint = Counter.builder(SINK_TRANSACTIONS_COMMITTED).tags(sk.and("phase", "checkpoint"))
        .register(r);
    committedByRecovery = Counter.builder(SINK_TRANSACTIONS_COMMITTED).tags(sk.and("phase", "recovery"))
        .register(r);
    aborted = Counter.builder(SINK_TRANSACTIONS_ABORTED).tags(sk).register(r);
    visibilityDelay = Timer.builder(SINK_VISIBILITY_DELAY).tags(sk).publishPercentiles(0.5, 0.99)
        .description("longest wait of a committed record until its transaction was visible").register(r);
    counter(DEDUP_ABSORBED, this, JobMeters::dedupAbsorbed).tags(tags)
        .description("records dropped by deduplicate() as duplicates").register(r);
    Gauge.builder(RESTORED_CHECKPOINT, restored, AtomicLong::get).strongReference(true).tags(tags).register(r);
    Gauge.builder(LAST_CHECKPOINT, lastCheckpoint, AtomicLong::get).strongReference(true).tags(tags).register(r);
    checkpointsCompleted = Counter.builder(CHECKPOINTS_COMPLETED).tags(tags).register(r);
    checkpointDuration = Timer.builder(CHECKPOINT_DURATION).tags(tags).register(r);
    checkpointSize = DistributionSummary.builder(CHECKPOINT_SIZE).baseUnit("bytes").tags(tags).register(r);
    for (CheckpointFailureReason reason : CheckpointFailureReason.values()) {
      Counter.builder(CHECKPOINT_FAILURES).tags(tags.and("reason", reason.tag())).register(r); // visible as 0
    }
  }

  /**
   * A function counter whose function holds {@code state} strongly. Micrometer keeps a function counter's state object
   * only weakly: once a finished job's objects were unreachable, a registry that outlives it (a dashboard, a test
   * reading the meters after {@code execute()}) read 0 for counts the job made. What the state keeps alive after the
   * job is small: {@link #jobEnded()} drops the references to operators and sinks.
   */
  private static <T> FunctionCounter.Builder<T> counter(String name, T state,
      java.util.function.ToDoubleFunction<T> f) {
    return FunctionCounter.builder(name, state, ignored -> f.applyAsDouble(state));
  }

  /**
   * The job ended (finished, failed or cancelled): its counts stay readable, but the meters no longer reach into its
   * operators and sinks (deduplicators folded into a number, no pending transactions, no source readers for lag).
   */
  public void jobEnded() {
    attemptStarted();
    pendingTransactions = () -> 0;
    for (LagGauge g : lag.values()) {
      g.reader = null;
    }
  }

  private static double sum(SubtaskCounter[] counters) {
    long s = 0;
    for (SubtaskCounter c : counters) {
      s += c.get();
    }
    return s;
  }

  /** The registry the meters are in. */
  public MeterRegistry registry() {
    return registry;
  }

  /** Records into stage {@code stage}, subtask {@code subtask}: added per input batch by that subtask. */
  public SubtaskCounter recordsIn(int stage, int subtask) {
    return stageIn[stage][subtask];
  }

  /**
   * Records in and out ({@code [0]}, {@code [1]}) of subtask {@code subtask} of the user operator {@code operator}
   * (kind {@code kind}) in stage {@code stage}, published per batch by that subtask. Every attempt gets the same
   * counters, so counts go on across restarts (replays count again, as the source's do).
   */
  public SubtaskCounter[] operatorRecords(int stage, String operator, String kind, int subtask) {
    SubtaskCounter[][] c = operators.computeIfAbsent(operator, id -> {
      SubtaskCounter[][] m = new SubtaskCounter[2][parallelism];
      for (SubtaskCounter[] side : m) {
        for (int i = 0; i < parallelism; i++) {
          side[i] = new SubtaskCounter();
        }
      }
      Tags t = tags.and("stage", stageLabels.get(stage)).and("operator", id).and("kind", kind);
      counter(OPERATOR_RECORDS_IN, m[0], JobMeters::sum).tags(t)
          .description("records handed to the operator").register(registry);
      counter(OPERATOR_RECORDS_OUT, m[1], JobMeters::sum).tags(t)
          .description("records the operator emitted on its main output").register(registry);
      return m;
    });
    return new SubtaskCounter[] {c[0][subtask], c[1][subtask]};
  }

  /** Nanoseconds senders spent blocked on stage {@code stage}'s full input channels. */
  public LongAdder channelBlocked(int stage) {
    return stageBlocked[stage];
  }

  /** Records written by subtask {@code subtask} of the sink named {@code sink}. */
  public SubtaskCounter sinkWritten(String sink, int subtask) {
    SubtaskCounter[] written = sinkWritten.get(sink);
    return written == null ? new SubtaskCounter() : written[subtask];
  }

  /** The current attempt's count of pending sink transactions. */
  public void pendingTransactions(IntSupplier supplier) {
    this.pendingTransactions = supplier;
  }

  /** An attempt starts: its clock of visibility starts too; deduplicators of the previous attempt are folded in. */
  public void attemptStarted() {
    long folded = 0;
    for (Deduplicate<?, ?> d : deduplicators) {
      folded += d.absorbed();
    }
    dedupBefore.addAndGet(folded);
    deduplicators.clear();
    endedUpTo.set(Long.MIN_VALUE);
    inFlight.clear();
    visibleFromNanos = System.nanoTime();
  }

  /** A deduplicate() operator instance of the current attempt. */
  public void deduplicator(Deduplicate<?, ?> d) {
    deduplicators.add(d);
  }

  private double dedupAbsorbed() {
    long s = dedupBefore.get();
    for (Deduplicate<?, ?> d : deduplicators) {
      s += d.absorbed();
    }
    return s;
  }

  /** An attempt failed with {@code cause}; {@code restarting}: a restart follows. */
  public void attemptFailed(Throwable cause, boolean restarting) {
    String c = cause == null ? "unknown" : rootCause(cause).getClass().getSimpleName();
    registry.counter(ATTEMPT_FAILURES, tags.and("cause", c)).increment();
    if (restarting) {
      registry.counter(RESTARTS, tags.and("cause", c)).increment();
    }
  }

  /** The innermost cause: the wrapper the runtime adds ("source subtask ... failed") says little. */
  public static Throwable rootCause(Throwable t) {
    Throwable c = t;
    for (int depth = 0; c.getCause() != null && c.getCause() != c && depth < 20; depth++) {
      c = c.getCause();
    }
    return c;
  }

  /** An attempt restored checkpoint {@code id} (-1: fresh) and recovery committed {@code committed} tokens. */
  public void recovered(long id, int committed) {
    restored.set(id);
    committedByRecovery.increment(committed);
  }

  /** {@code n} sink transactions committed after a checkpoint. */
  public void transactionsCommitted(int n) {
    committedByCheckpoint.increment(n);
  }

  /** An open sink transaction was aborted on cancellation. */
  public void transactionAborted() {
    aborted.increment();
  }

  /** A subtask aligned the barriers of checkpoint {@code id} in {@code nanos}. */
  public void alignment(long id, long nanos) {
    atLeast(id, ALIGNMENT, nanos);
  }

  /** A subtask's snapshot of checkpoint {@code id} was serialised in {@code nanos}. */
  public void snapshotWritten(long id, long nanos) {
    atLeast(id, SNAPSHOT_WRITE, nanos);
  }

  /** A source subtask injected the barrier of checkpoint {@code id} at {@code nanoTime} ({@link System#nanoTime()}). */
  public void barrierInjected(long id, long nanoTime) {
    atLeast(id, BARRIER_INJECTED, nanoTime);
  }

  /** A subtask took the synchronous part of its snapshot of checkpoint {@code id} in {@code nanos}. */
  public void snapshotTaken(long id, long nanos) {
    atLeast(id, SYNC_SNAPSHOT, nanos);
  }

  private void atLeast(long id, int field, long value) {
    if (id <= endedUpTo.get()) {
      return;
    }
    long[] m = inFlight.computeIfAbsent(id, k -> {
      long[] fresh = new long[4];
      fresh[BARRIER_INJECTED] = Long.MIN_VALUE; // nanoTime readings may be negative
      return fresh;
    });
    synchronized (m) {
      m[field] = Math.max(m[field], value);
    }
    if (id <= endedUpTo.get()) {
      inFlight.remove(id); // it ended between the check above and the insertion
    }
  }

  /** Checkpoint {@code id} ended: its entry, and any of an older one, goes. */
  private long[] ended(long id) {
    endedUpTo.accumulateAndGet(id, Math::max);
    long[] m = inFlight.remove(id);
    inFlight.keySet().removeIf(k -> k <= id);
    return m;
  }

  /** Checkpoints whose reports are still kept; tests. */
  int checkpointsInFlight() {
    return inFlight.size();
  }

  /**
   * Checkpoint {@code id} completed and its sinks committed; coordinator thread. Nanosecond arguments are {@link
   * System#nanoTime()} readings.
   */
  public CheckpointStats checkpointCompleted(long id, boolean isFinal, long triggeredAtMillis, long triggered,
      long acknowledged, long metadataWritten, long committed, long sizeBytes) {
    long[] m = ended(id);
    long align = 0;
    long write = 0;
    long start = 0;
    long sync = 0;
    if (m != null) {
      synchronized (m) {
        align = m[ALIGNMENT];
        write = m[SNAPSHOT_WRITE];
        start = m[BARRIER_INJECTED] == Long.MIN_VALUE ? 0 : Math.max(0, m[BARRIER_INJECTED] - triggered);
        sync = m[SYNC_SNAPSHOT];
      }
    }
    checkpointsCompleted.increment();
    lastCheckpoint.set(id);
    checkpointDuration.record(committed - triggered, TimeUnit.NANOSECONDS);
    phase("acknowledge", acknowledged - triggered);
    phase("barrier_start", start);
    phase("alignment", align);
    phase("sync_snapshot", sync);
    phase("snapshot_write", write);
    phase("metadata_write", metadataWritten - acknowledged);
    phase("sink_commit", committed - metadataWritten);
    checkpointSize.record(sizeBytes);
    visibilityDelay.record(Duration.ofNanos(Math.max(0, committed - visibleFromNanos)));
    visibleFromNanos = triggered;
    return new CheckpointStats(id, isFinal, triggeredAtMillis, committed - triggered, acknowledged - triggered, start,
        align, sync, write, metadataWritten - acknowledged, committed - metadataWritten, sizeBytes,
        pendingTransactions.getAsInt(), null);
  }

  private void phase(String name, long nanos) {
    phases.computeIfAbsent(name, n -> Timer.builder(CHECKPOINT_PHASE).tags(tags.and("phase", n)).register(registry))
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** Checkpoint {@code id} was discarded for {@code reason}; coordinator thread. */
  public CheckpointStats checkpointFailed(long id, boolean isFinal, long triggeredAtMillis, long triggered,
      CheckpointFailureReason reason) {
    ended(id);
    registry.counter(CHECKPOINT_FAILURES, tags.and("reason", reason.tag())).increment();
    long d = triggered == 0 ? 0 : System.nanoTime() - triggered;
    return new CheckpointStats(id, isFinal, triggeredAtMillis, d, 0, 0, 0, 0, 0, 0, 0, 0,
        pendingTransactions.getAsInt(), reason);
  }

  /** A source reader of the current attempt: its partitions' lag becomes a gauge each. */
  public void sourceReader(SourceReader<?> reader) {
    for (String partition : reader.lag().keySet()) {
      lag.computeIfAbsent(partition, p -> {
        LagGauge g = new LagGauge(p);
        Gauge.builder(SOURCE_LAG, g, LagGauge::value).strongReference(true).tags(tags.and("partition", p))
            .description("records between the source position and the partition's end").register(registry);
        return g;
      }).reader = reader;
    }
  }

  /** The sinks' names joined by commas (the {@code sink} tag of the transaction meters). */
  public String sinkName() {
    return sinkName;
  }

  private static final class LagGauge {
    final String partition;
    volatile SourceReader<?> reader;

    LagGauge(String partition) {
      this.partition = partition;
    }

    double value() {
      SourceReader<?> r = reader;
      Long v = r == null ? null : r.lag().get(partition);
      return v == null ? Double.NaN : v;
    }
  }
}
