package dev.onceflow.core;

import dev.onceflow.core.metrics.PipelineStartHook;
import dev.onceflow.core.runtime.JobConfig;
import dev.onceflow.core.runtime.JobExecution;
import dev.onceflow.core.runtime.KeyGroups;
import dev.onceflow.core.runtime.Transformation;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.source.Source;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;
import org.slf4j.LoggerFactory;

/**
 * A pipeline definition and its job configuration (the "environment"): guarantee, parallelism, checkpointing, restart
 * strategy. Build the dataflow with {@link #source} (as many sources as needed), end it with {@link DataStream#sinkTo}
 * (any stream, as many sinks as needed, each with its own name), then {@link #execute()} (blocks) or {@link #start()}.
 *
 * <p>All sinks of a pipeline share its checkpoints: every transactional sink pre-commits on the same barrier and
 * commits only after that checkpoint completed, and recovery resolves all of them from the same restored checkpoint,
 * so under EXACTLY_ONCE the output a checkpoint covers is, after recovery, committed in every sink or in none. (In the
 * moment between a checkpoint's completion and the last sink's commit a reader can see it in one sink and not yet in
 * another; a crash there is repaired by recovery committing the rest.)
 *
 * <p>A job started on a checkpoint directory that holds completed checkpoints of the same pipeline resumes from the
 * latest one (state, source positions, sink transactions), also in a new process after kill -9. Not thread-safe.
 */
public final class Pipeline {
  private final String name;
  private Guarantee guarantee = Guarantee.EXACTLY_ONCE;
  private int parallelism = 1;
  private int maxParallelism = KeyGroups.DEFAULT_MAX_PARALLELISM;
  private Duration checkpointInterval = Duration.ZERO;
  private Duration checkpointTimeout = Duration.ofMinutes(1);
  private Path checkpointDir;
  private int retainedCheckpoints = 3;
  private RestartStrategy restartStrategy = RestartStrategy.noRestart();
  private int batchSize = 512;
  private int channelCapacity = 8;
  private boolean failOnDecodeError;
  private Duration watermarkInterval = Duration.ofMillis(20);
  private int atMostOnceReadAhead = DEFAULT_AT_MOST_ONCE_READ_AHEAD;
  private boolean alignedSnapshots;
  /** Default of {@link #atMostOnceReadAhead(int)}. */
  public static final int DEFAULT_AT_MOST_ONCE_READ_AHEAD = 65_536;
  private final List<JobListener> listeners = new ArrayList<>();
  private io.micrometer.core.instrument.MeterRegistry meterRegistry;
  private final List<Transformation.SinkT> sinks = new ArrayList<>();

  Pipeline(String name) {
    if (name == null || !name.matches("[A-Za-z0-9._-]+")) {
      throw new InvalidPipelineException(
          "pipeline name '" + name + "' is invalid: use letters, digits, '.', '_' or '-' (it names files and ids)");
    }
    this.name = name;
  }

  /** The pipeline name. */
  public String name() {
    return name;
  }

  /**
   * The processing guarantee (default EXACTLY_ONCE). It is recorded in every checkpoint: a job restarted on the same
   * checkpoint directory under a guarantee its checkpoints cannot serve is refused (see the core README's
   * compatibility matrix; any checkpoint can serve AT_LEAST_ONCE).
   */
  public Pipeline guarantee(Guarantee guarantee) {
    this.guarantee = Objects.requireNonNull(guarantee, "guarantee");
    return this;
  }

  /** The guarantee configured. */
  public Guarantee guarantee() {
    return guarantee;
  }

  /**
   * Subtasks per stage (default 1). May change between runs on the same checkpoint directory only where state and
   * positions can move (a {@code LogSource} under AT_LEAST_ONCE or EXACTLY_ONCE); otherwise the restore is refused.
   */
  public Pipeline parallelism(int parallelism) {
    if (parallelism < 1 || parallelism > maxParallelism) {
      throw new InvalidPipelineException(
          "parallelism must be between 1 and maxParallelism (" + maxParallelism + "), was " + parallelism);
    }
    this.parallelism = parallelism;
    return this;
  }

  /** Number of key groups (default 128): the upper bound of parallelism after rescaling. */
  public Pipeline maxParallelism(int maxParallelism) {
    if (maxParallelism < parallelism || maxParallelism > 32768) {
      throw new InvalidPipelineException("maxParallelism must be between parallelism and 32768, was "
          + maxParallelism);
    }
    this.maxParallelism = maxParallelism;
    return this;
  }

  /**
   * Periodic checkpoint interval; {@link Duration#ZERO} (default) = no periodic checkpoints (a bounded job still takes
   * its final checkpoint, where transactional sinks commit).
   */
  public Pipeline checkpointInterval(Duration interval) {
    if (interval.isNegative()) {
      throw new InvalidPipelineException("checkpointInterval must not be negative, was " + interval);
    }
    this.checkpointInterval = interval;
    return this;
  }

  /** A checkpoint not complete after this long is discarded (default 1 minute). */
  public Pipeline checkpointTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new InvalidPipelineException("checkpointTimeout must be positive, was " + timeout);
    }
    this.checkpointTimeout = timeout;
    return this;
  }

  /**
   * Where checkpoints (and at-most-once source positions) are kept. Without it a temporary directory is used and
   * deleted at the end, so a restarted process cannot resume.
   */
  public Pipeline checkpointDir(Path dir) {
    this.checkpointDir = Objects.requireNonNull(dir, "dir");
    return this;
  }

  /** How many completed checkpoints to keep (default 3). */
  public Pipeline retainedCheckpoints(int count) {
    if (count < 1) {
      throw new InvalidPipelineException("retainedCheckpoints must be >= 1, was " + count);
    }
    this.retainedCheckpoints = count;
    return this;
  }

  /** What to do when an attempt fails (default {@link RestartStrategy#noRestart()}). */
  public Pipeline restartStrategy(RestartStrategy strategy) {
    this.restartStrategy = Objects.requireNonNull(strategy, "strategy");
    return this;
  }

  /** Records per batch between subtasks (default 512). */
  public Pipeline batchSize(int records) {
    if (records < 1) {
      throw new InvalidPipelineException("batchSize must be >= 1, was " + records);
    }
    this.batchSize = records;
    return this;
  }

  /** Batches buffered per channel before the sender blocks (default 8). */
  public Pipeline channelCapacity(int batches) {
    if (batches < 1) {
      throw new InvalidPipelineException("channelCapacity must be >= 1, was " + batches);
    }
    this.channelCapacity = batches;
    return this;
  }

  /** Fail the attempt when a source record cannot be decoded, instead of dead-lettering it (default false). */
  public Pipeline failOnDecodeError(boolean fail) {
    this.failOnDecodeError = fail;
    return this;
  }

  /**
   * Minimum time between two watermarks of a source subtask (default 20 ms); each watermark flushes partly filled
   * batches, so emitting one per batch costs throughput. {@link Duration#ZERO} = after every batch.
   */
  public Pipeline watermarkInterval(Duration interval) {
    if (interval.isNegative()) {
      throw new InvalidPipelineException("watermarkInterval must not be negative, was " + interval);
    }
    this.watermarkInterval = interval;
    return this;
  }

  /**
   * AT_MOST_ONCE only: how many records a source subtask may read ahead of what it has processed (default {@value
   * #DEFAULT_AT_MOST_ONCE_READ_AHEAD}). The position after what was read is committed durably, asynchronously, and
   * a record is processed once such a commit covering it is durable; so processing does not wait for an fsync while
   * the read-ahead lasts longer than one. A crash (or any failure) loses at most the records read ahead and not yet
   * processed: up to this many per source subtask, which at-most-once allows; nothing is ever processed twice.
   * 1 = one fsync per record before it is processed.
   */
  public Pipeline atMostOnceReadAhead(int records) {
    if (records < 1) {
      throw new InvalidPipelineException("atMostOnceReadAhead must be >= 1, was " + records);
    }
    this.atMostOnceReadAhead = records;
    return this;
  }

  /**
   * AT_LEAST_ONCE only: take aligned snapshots (default false, unless a sink asks for them with {@link
   * Sink#needsAlignedSnapshots()}). An aligned snapshot holds exactly the records before its source positions, so
   * after a restore no state counts a record twice: output with replacement semantics computed from state (window
   * counts written by an upsert) ends exact, while the sinks stay write-through (output may repeat, nothing is
   * rolled back). The cost is exactly-once's: a subtask with several inputs stops reading a channel that delivered a
   * barrier until all did. Under AT_MOST_ONCE and EXACTLY_ONCE snapshots are always aligned. Such a checkpoint is
   * still an at-least-once one: it cannot serve EXACTLY_ONCE (its output went write-through, past the snapshot).
   */
  public Pipeline alignedSnapshots(boolean aligned) {
    this.alignedSnapshots = aligned;
    return this;
  }

  /**
   * The registry the job's meters go to (names in {@link dev.onceflow.core.metrics.MetricNames}); default none: nothing
   * is recorded. Counters cost a field update per batch, per checkpoint and per attempt (a sink's per record).
   */
  public Pipeline meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
    this.meterRegistry = Objects.requireNonNull(registry, "registry");
    return this;
  }

  /** Adds a lifecycle listener. */
  public Pipeline listener(JobListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
    return this;
  }

  /** Starts the dataflow with a source (records without event-time watermarks). */
  public <T> DataStream<T> source(Source<T> source) {
    return source(source, WatermarkStrategy.none());
  }

  /** Starts the dataflow with a source whose records carry event timestamps, with watermarks per {@code strategy}. */
  public <T> DataStream<T> source(Source<T> source, WatermarkStrategy strategy) {
    Objects.requireNonNull(source, "source");
    return new DataStream<>(this, new Transformation.SourceT(source, strategy.spec()));
  }

  void addSink(Transformation.SinkT node) {
    for (Transformation.SinkT other : sinks) {
      if (other.sink().name().equals(node.sink().name())) {
        throw new InvalidPipelineException("pipeline '" + name + "' already has a sink named '" + node.sink().name()
            + "': sink names identify transactions and recovery history, so each sink of a pipeline needs its own"
            + " (write to another topic, table or directory, or give the sink another name)");
      }
    }
    validateSink(node.sink());
    sinks.add(node);
  }

  private void validateSink(Sink<?> s) {
    if (guarantee == Guarantee.EXACTLY_ONCE && !(s instanceof TwoPhaseCommitSink<?>) && !s.idempotent()) {
      throw new InvalidPipelineException(
          "sink '" + s.name() + "' cannot give EXACTLY_ONCE: it is neither transactional (TwoPhaseCommitSink) nor "
              + "idempotent (Sink.idempotent()), so replay after a failure would repeat its effects. Use a "
              + "transactional or upsert sink, or ask for AT_LEAST_ONCE.");
    }
  }

  /**
   * Validates the pipeline, locks its checkpoint directory for the job's life, and starts it; returns at once. A
   * checkpoint the job cannot restore (another guarantee it cannot serve, another shape) fails the job before it reads
   * anything: {@link JobHandle#join()} throws a {@link JobFailedException} whose cause is an {@link
   * IncompatibleCheckpointException}.
   *
   * @throws InvalidPipelineException if the pipeline has no sink or cannot keep its guarantee
   * @throws CheckpointDirectoryLockedException if another running job holds the checkpoint directory
   */
  public JobHandle start() {
    if (sinks.isEmpty()) {
      throw new InvalidPipelineException("pipeline '" + name + "' has no sink: end it with DataStream.sinkTo(...)");
    }
    for (Transformation.SinkT s : sinks) {
      validateSink(s.sink());
    }
    List<PipelineStartHook> hooks = startHooks();
    hooks.forEach(h -> hook(h, () -> h.beforeStart(this)));
    JobConfig config = new JobConfig(name, guarantee, parallelism, maxParallelism, checkpointInterval,
        checkpointTimeout, checkpointDir, retainedCheckpoints, restartStrategy, batchSize, channelCapacity,
        failOnDecodeError, watermarkInterval.toMillis(), List.copyOf(listeners), atMostOnceReadAhead,
        alignedSnapshots);
    JobHandle handle = JobExecution.start(config, List.copyOf(sinks), meterRegistry);
    hooks.forEach(h -> hook(h, () -> h.started(this, handle)));
    return handle;
  }

  private static List<PipelineStartHook> startHooks() {
    List<PipelineStartHook> hooks = new ArrayList<>();
    try {
      ServiceLoader.load(PipelineStartHook.class).forEach(hooks::add);
    } catch (java.util.ServiceConfigurationError e) {
      LoggerFactory.getLogger(Pipeline.class).warn("A PipelineStartHook could not be loaded; going on without it", e);
    }
    return hooks;
  }

  private static void hook(PipelineStartHook h, Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      LoggerFactory.getLogger(Pipeline.class).warn("PipelineStartHook {} failed; the job goes on without it", h, e);
    }
  }

  /**
   * Starts the pipeline and blocks until a bounded job finished (its final checkpoint committed).
   *
   * @throws JobFailedException if the job failed with no restart left
   */
  public void execute() throws InterruptedException {
    start().join();
  }
}
