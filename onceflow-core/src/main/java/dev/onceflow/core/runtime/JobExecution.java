package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobFailedException;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.JobMetrics;
import dev.onceflow.core.JobStatus;
import dev.onceflow.core.checkpoint.BarrierHandler;
import dev.onceflow.core.checkpoint.CheckpointDirectoryLock;
import dev.onceflow.core.checkpoint.CheckpointCoordinator;
import dev.onceflow.core.checkpoint.CheckpointStorage;
import dev.onceflow.core.checkpoint.CompletedCheckpoint;
import dev.onceflow.core.checkpoint.DurableFiles;
import dev.onceflow.core.checkpoint.JobHistory;
import dev.onceflow.core.checkpoint.PositionStore;
import dev.onceflow.core.metrics.CheckpointFailureReason;
import dev.onceflow.core.metrics.CheckpointStats;
import dev.onceflow.core.metrics.RecoveryEvent;
import dev.onceflow.core.metrics.internal.JobMeters;
import dev.onceflow.core.window.Deduplicate;
import io.micrometer.core.instrument.MeterRegistry;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.Source;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a job: attempts, restarts and recovery. An attempt = restore the latest completed checkpoint (state, source
 * positions), resolve sink transactions (commit the recorded ones, abort lingering ones), start one thread per subtask
 * plus the checkpoint coordinator, and wait until the final checkpoint is committed or something fails. A failure
 * cancels every subtask (cooperatively), joins all threads, then restarts per the restart strategy.
 */
public final class JobExecution implements JobHandle {
  private static final Logger LOG = LoggerFactory.getLogger(JobExecution.class);
  private static final long JOIN_MILLIS = 30_000;

  private final JobConfig config;
  private final JobGraph graph;
  private final Thread driver;
  private final CountDownLatch terminated = new CountDownLatch(1);
  /** Counted down by {@link #cancel()}: ends a restart back-off at once instead of after its delay. */
  private final CountDownLatch cancelSignal = new CountDownLatch(1);
  private final AtomicLong recordsRead = new AtomicLong();
  private final AtomicLong decodeFailures = new AtomicLong();
  private final AtomicLong checkpointsCompleted = new AtomicLong();
  private final AtomicLong checkpointsFailed = new AtomicLong();
  private volatile long lastCompleted = -1;
  private volatile int restarts;
  private volatile JobStatus status = JobStatus.RUNNING;
  private volatile Throwable failure;
  private volatile boolean cancelRequested;
  private volatile Attempt current;
  /** Why the job failed without trying its restarts, or null. */
  private volatile String nonRecoverable;
  /** Held from start() until the driver ends; null for a temporary checkpoint directory. */
  private final CheckpointDirectoryLock lock;
  /** The directory's history including this job, written before any sink writer exists. Driver thread. */
  private JobHistory history;
  private final JobMeters meters;

  private JobExecution(JobConfig config, JobGraph graph, CheckpointDirectoryLock lock, MeterRegistry registry) {
    this.config = config;
    this.graph = graph;
    this.lock = lock;
    this.meters = new JobMeters(registry, config.name(), stageLabels(graph), config.parallelism(),
        graph.sinks.stream().map(si -> si.node().sink().name()).toList(), recordsRead, decodeFailures);
    this.driver = new Thread(this::drive, "onceflow-" + config.name() + "-driver");
  }

  /**
   * Compiles and starts a job; returns at once.
   *
   * @throws dev.onceflow.core.CheckpointDirectoryLockedException if another job holds the checkpoint directory
   */
  public static JobExecution start(JobConfig config, Transformation.SinkT sink) {
    return start(config, List.of(sink));
  }

  /**
   * Compiles and starts a job with one or more sinks; returns at once.
   *
   * @throws dev.onceflow.core.InvalidPipelineException if the pipeline cannot be compiled (e.g. two sinks of one name)
   * @throws dev.onceflow.core.CheckpointDirectoryLockedException if another job holds the checkpoint directory
   */
  public static JobExecution start(JobConfig config, List<Transformation.SinkT> sinks) {
    return start(config, sinks, null);
  }

  /** {@link #start(JobConfig, List)} with the job's meters in {@code registry} (null = none). */
  public static JobExecution start(JobConfig config, List<Transformation.SinkT> sinks, MeterRegistry registry) {
    JobGraph graph = JobGraph.compile(sinks);
    CheckpointDirectoryLock lock = config.checkpointDir() == null
        ? null : CheckpointDirectoryLock.acquire(config.checkpointDir(), config.name(), java.time.Clock.systemUTC());
    JobExecution job = new JobExecution(config, graph, lock, registry);
    job.driver.start();
    return job;
  }

  @Override
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    return terminated.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
  }

  @Override
  public void join() throws InterruptedException {
    terminated.await();
    if (status == JobStatus.FAILED && nonRecoverable != null) {
      throw new JobFailedException("job '" + config.name() + "' failed with a non-recoverable error after " + restarts
          + " restart(s), and was not restarted: " + nonRecoverable + ". Fix the cause and start it again; its"
          + " checkpoint directory is unchanged", failure, true);
    }
    if (status == JobStatus.FAILED) {
      throw new JobFailedException(
          "job '" + config.name() + "' failed after " + restarts + " restart(s); it can resume from "
              + "its latest completed checkpoint", failure);
    }
  }

  @Override
  public void cancel() {
    cancelRequested = true;
    cancelSignal.countDown();
    Attempt a = current;
    if (a != null) {
      a.done.countDown();
    }
    try {
      terminated.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public JobStatus status() {
    return status;
  }

  @Override
  public JobMetrics metrics() {
    return new JobMetrics(
        recordsRead.get(),
        decodeFailures.get(),
        checkpointsCompleted.get(),
        checkpointsFailed.get(),
        lastCompleted,
        restarts);
  }

  /** A label per stage for the meters' stage tag: index and operators, e.g. {@code s1:process>sink(counts)}. */
  private static List<String> stageLabels(JobGraph graph) {
    List<String> labels = new ArrayList<>();
    for (int k = 0; k < graph.stages.size(); k++) {
      JobGraph.Stage stage = graph.stages.get(k);
      StringBuilder b = new StringBuilder("s").append(k).append(':');
      for (Transformation t : stage.nodes()) {
        b.append(t instanceof Transformation.SourceT s ? "source(" + s.source().name() + ")"
            : t instanceof Transformation.MapT ? "map"
            : t instanceof Transformation.FilterT ? "filter"
            : t instanceof Transformation.FlatMapT ? "flatMap"
            : t instanceof Transformation.ProcessT ? "process"
            : t instanceof Transformation.CoProcessT ? "coProcess"
            : t instanceof Transformation.SinkT s ? "sink(" + s.sink().name() + ")"
            : t.getClass().getSimpleName().replace("T", "").toLowerCase(java.util.Locale.ROOT)).append('>');
      }
      if (b.charAt(b.length() - 1) == '>') {
        b.setLength(b.length() - 1);
      }
      labels.add(b.toString());
    }
    return labels;
  }

  /** Fails the current attempt (first cause wins). Any thread. */
  void failAttempt(Throwable cause) {
    Attempt a = current;
    if (a != null) {
      a.fail(cause);
    }
  }

  private void notifyListeners(Consumer<JobListener> call) {
    for (JobListener l : config.listeners()) {
      try {
        call.accept(l);
      } catch (RuntimeException e) {
        LOG.error("Job listener {} threw; the job goes on", l, e);
      }
    }
  }

  private void drive() {
    Path dir = config.checkpointDir();
    boolean temporary = dir == null;
    try {
      if (temporary) {
        dir = Files.createTempDirectory("onceflow-" + config.name() + "-ckpt");
      }
      CheckpointStorage storage = new CheckpointStorage(dir, config.retainedCheckpoints());
      Optional<JobHistory> before = JobHistory.read(dir);
      RestorePlan plan = RestorePlanner.plan(config, graph, dir, storage.latest(), before);
      if (plan.rescaling(config.parallelism())) {
        LOG.info("Job {}: rescaling checkpoint {} in {} from parallelism {} to {} (keyed state moves by key group,"
            + " source positions by split)", config.name(), plan.checkpoint().get().id(), dir,
            plan.checkpointParallelism(), config.parallelism());
      }
      history = plan.history();
      if (before.isEmpty() || !before.get().equals(history)) {
        history.write(dir); // durable before any sink writer exists: recovery must know every subtask index used
      }
      for (int attempt = 1; ; attempt++) {
        Throwable cause = runAttempt(attempt, storage);
        if (cancelRequested) {
          status = JobStatus.CANCELLED;
          break;
        }
        if (cause == null) {
          status = JobStatus.FINISHED;
          LOG.info("Job {} finished", config.name());
          notifyListeners(JobListener::onFinished);
          break;
        }
        LOG.warn("Attempt {} of job {} failed", attempt, config.name(), cause);
        int n = attempt;
        notifyListeners(l -> l.onAttemptFailed(n, cause));
        Optional<String> fatal = FailureClassifier.nonRecoverable(cause);
        meters.attemptFailed(cause, fatal.isEmpty() && restarts < config.restartStrategy().maxRestarts());
        Throwable root = JobMeters.rootCause(cause);
        RecoveryEvent failed = new RecoveryEvent(System.currentTimeMillis(), RecoveryEvent.Kind.ATTEMPT_FAILED, n,
            root.getClass().getName() + ": " + root.getMessage(), -1, 0, 0);
        notifyListeners(l -> l.onRecovery(failed));
        if (fatal.isPresent()) {
          failure = cause;
          nonRecoverable = fatal.get();
          status = JobStatus.FAILED;
          LOG.error("Job {} failed with a non-recoverable error; not restarted: {}", config.name(), fatal.get());
          break;
        }
        if (restarts >= config.restartStrategy().maxRestarts()) {
          failure = cause;
          status = JobStatus.FAILED;
          LOG.error("Job {} failed: no restart left ({} allowed)", config.name(),
              config.restartStrategy().maxRestarts());
          break;
        }
        restarts++;
        long delay = config.restartStrategy().delay().toMillis();
        if (delay > 0) {
          cancelSignal.await(delay, TimeUnit.MILLISECONDS); // back-off; a cancel ends it (the next attempt sees it)
        }
      }
    } catch (Throwable t) {
      failure = t;
      nonRecoverable = FailureClassifier.nonRecoverable(t).orElse(null);
      status = JobStatus.FAILED;
      LOG.error("Job {} failed", config.name(), t);
    } finally {
      if (lock != null) {
        try {
          lock.close();
        } catch (java.io.IOException e) {
          LOG.warn("Could not release the lock of checkpoint directory {}", dir, e);
        }
      }
      if (temporary && dir != null) {
        try {
          DurableFiles.deleteTree(dir);
        } catch (java.io.IOException e) {
          LOG.warn("Could not delete temporary checkpoint directory {}", dir, e);
        }
      }
      meters.jobEnded();
      terminated.countDown();
    }
  }

  /** Runs one attempt; returns null if the job finished (or was cancelled), else the failure. */
  private Throwable runAttempt(int number, CheckpointStorage storage) throws InterruptedException {
    Attempt a = new Attempt(number, storage);
    current = a;
    if (cancelRequested) {
      return null;
    }
    try {
      a.setUp();
      a.startThreads();
      a.done.await();
    } catch (Throwable t) {
      a.fail(t);
    } finally {
      a.tearDown();
    }
    return a.finished ? null : a.failure.get();
  }

  /** One attempt: its threads, coordinator and I/O thread. */
  private final class Attempt implements CheckpointCoordinator.Hooks {
    final int number;
    final CheckpointStorage storage;
    final CancelFlag cancel = new CancelFlag();
    final CountDownLatch done = new CountDownLatch(1);
    final AtomicReference<Throwable> failure = new AtomicReference<>();
    final List<SourceTask> sources = new ArrayList<>();
    final List<TwoPhaseCommitSinkOp> sinkOps = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();
    final List<String> taskKeys = new ArrayList<>();
    final List<Thread> threads = new ArrayList<>();
    final List<PositionStore> positionStores = new ArrayList<>();
    volatile boolean finished;
    /** Parallelism of the restored checkpoint when it differs from the job's (rescaling), else 0. */
    int restoredParallelism;
    CheckpointCoordinator coordinator;
    ExecutorService io;

    Attempt(int number, CheckpointStorage storage) {
      this.number = number;
      this.storage = storage;
    }

    @Override
    public void fail(Throwable t) {
      if (!finished && failure.compareAndSet(null, t)) {
        done.countDown();
      }
    }

    void setUp() throws Exception {
      RestorePlan plan = RestorePlanner.plan(config, graph, storage.directory(), storage.latest(), Optional.of(history));
      Optional<CompletedCheckpoint> restored = plan.checkpoint();
      restored.ifPresent(
          c -> {
            LOG.info("Job {} attempt {}: restoring completed checkpoint {}{} from {}", config.name(), number,
                c.id(), c.metadata().finalCheckpoint() ? " (final)" : "", storage.directory());
            lastCompleted = Math.max(lastCompleted, c.id());
            notifyListeners(l -> l.onRestored(c.id()));
          });
      restoredParallelism = plan.rescaling(config.parallelism()) ? plan.checkpointParallelism() : 0;
      meters.attemptStarted();
      SinkRecovery.Result recovery = SinkRecovery.recover(config, graph, plan);
      long restoredId = restored.map(CompletedCheckpoint::id).orElse(-1L);
      meters.recovered(restoredId, recovery.committed());
      RecoveryEvent recovered = new RecoveryEvent(System.currentTimeMillis(), RecoveryEvent.Kind.RECOVERED, number,
          null, restoredId, recovery.committed(), recovery.subtasksResolved());
      notifyListeners(l -> l.onRecovery(recovered));

      io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "onceflow-" + config.name() + "-checkpoint-io");
        t.setDaemon(true);
        return t;
      });
      AttemptServices services = new AttemptServices(io, JobExecution.this, cancel);
      services.meters = meters;
      int p = config.parallelism();
      List<JobGraph.Stage> stages = graph.stages;
      InputGate[][] gates = new InputGate[stages.size()][];
      for (int k = 1; k < stages.size(); k++) {
        gates[k] = new InputGate[p];
        for (int i = 0; i < p; i++) {
          gates[k][i] = new InputGate(p * stages.get(k).inputs().size(), config.channelCapacity());
          gates[k][i].blockedNanos = meters.channelBlocked(k);
        }
      }
      BarrierHandler.Mode mode = barrierMode();
      for (int k = 0; k < stages.size(); k++) {
        JobGraph.Stage stage = stages.get(k);
        for (int i = 0; i < p; i++) {
          String key = taskKey(k, i);
          TaskContext ctx = new TaskContext(config.name(), i, p, config.maxParallelism(), config.guarantee(),
              config.batchSize(), cancel);
          StageOps head = buildStage(stage, gates, i);
          List<Map<String, byte[]>> sections = restoredSections(restored, k, i);
          taskKeys.add(key);
          if (k == 0) {
            PositionStore ps = null;
            if (config.guarantee() == Guarantee.AT_MOST_ONCE) {
              ps = new PositionStore(storage.directory().resolve("positions"), "source-" + i);
              positionStores.add(ps);
            }
            @SuppressWarnings("unchecked")
            Source<Object> source = (Source<Object>) graph.source;
            SourceTask st = new SourceTask(key, source, head, ctx, services, sourceSections(source, sections, i), ps,
                graph.watermarks,
                config.failOnDecodeError(), config.watermarkIntervalMillis(), recordsRead, decodeFailures,
                System::nanoTime, new SourceTask.Reservation(config.atMostOnceReadAhead(),
                    SourceTask.Reservation.DEFAULT.maxDelayMillis(), null));
            sources.add(st);
            tasks.add(st);
          } else {
            StreamTask st = new StreamTask(key, gates[k][i], head, ctx, services, sections, mode);
            st.recordsIn = meters.recordsIn(k, i);
            tasks.add(st);
          }
        }
      }
      coordinator = new CheckpointCoordinator(storage, config.name(), config.guarantee(), taskKeys, p, config.checkpointInterval(),
          config.checkpointTimeout(), this);
      services.coordinator = coordinator;
      List<TwoPhaseCommitSinkOp> ops = List.copyOf(sinkOps);
      meters.pendingTransactions(() -> ops.stream().mapToInt(TwoPhaseCommitSinkOp::pendingCount).sum());
    }

    /**
     * Aligned unless AT_LEAST_ONCE; AT_LEAST_ONCE too when the pipeline or a sink asks for snapshots consistent with
     * the source positions ({@link dev.onceflow.core.sink.Sink#needsAlignedSnapshots()}).
     */
    private BarrierHandler.Mode barrierMode() {
      List<String> asking = graph.sinks.stream().map(s -> s.node().sink())
          .filter(dev.onceflow.core.sink.Sink::needsAlignedSnapshots).map(dev.onceflow.core.sink.Sink::name).toList();
      BarrierHandler.Mode mode = BarrierHandler.Mode.of(config.guarantee(),
          config.alignedSnapshots() || !asking.isEmpty());
      if (config.guarantee() == Guarantee.AT_LEAST_ONCE && mode == BarrierHandler.Mode.ALIGNED && number == 1) {
        LOG.info("Job {}: AT_LEAST_ONCE with aligned snapshots ({})", config.name(),
            config.alignedSnapshots() ? "Pipeline.alignedSnapshots" : "asked by sink " + String.join(", ", asking));
      }
      return mode;
    }

    /** The sections subtask i of stage k restores: its own, or after rescaling those of every old subtask. */
    private List<Map<String, byte[]>> restoredSections(Optional<CompletedCheckpoint> restored, int k, int i) {
      if (restored.isEmpty()) {
        return List.of();
      }
      if (restoredParallelism == 0) {
        return List.of(restored.get().task(taskKey(k, i)).sections());
      }
      List<Map<String, byte[]>> all = new ArrayList<>();
      for (int old = 0; old < restoredParallelism; old++) {
        all.add(restored.get().task(taskKey(k, old)).sections());
      }
      return all;
    }

    /** A source subtask's sections: its own position, or after rescaling the one the source computes from all. */
    private Map<String, byte[]> sourceSections(Source<Object> source, List<Map<String, byte[]>> sections, int i) {
      if (restoredParallelism == 0) {
        return sections.isEmpty() ? Map.of() : sections.get(0);
      }
      List<byte[]> old = new ArrayList<>();
      for (Map<String, byte[]> m : sections) {
        old.add(m.get(SourceTask.POSITION));
      }
      return source.rescalePosition(old, i, config.parallelism())
          .map(p -> Map.of(SourceTask.POSITION, p))
          .orElse(Map.of());
    }

    /**
     * One subtask's operators of {@code stage}: an operator per node, each wired to the operators reading its output
     * in the stage (several: a {@link Fanout}), to the exchanges of the edges leaving it, and a process function's
     * side outputs to the nodes reading them.
     */
    private StageOps buildStage(JobGraph.Stage stage, InputGate[][] gates, int subtask) {
      java.util.IdentityHashMap<Transformation, ChainOp> opOf = new java.util.IdentityHashMap<>();
      List<ChainOp> ops = new ArrayList<>();
      for (Transformation t : stage.nodes()) {
        ChainOp op = newOp(t, graph.uid(t), subtask);
        opOf.put(t, op);
        ops.add(op);
      }
      for (Transformation t : stage.nodes()) {
        ChainOp op = opOf.get(t);
        List<ChainOp> main = new ArrayList<>();
        java.util.Map<String, List<ChainOp>> side = new java.util.HashMap<>();
        for (Transformation c : graph.consumers(t)) {
          ChainOp target = opOf.get(c);
          if (target == null) {
            continue; // a keyBy (an edge below) or a node of another stage (reached through an edge)
          }
          if (c instanceof Transformation.SideOutputT so) {
            side.computeIfAbsent(so.tagId(), x -> new ArrayList<>()).add(target);
          } else if (c instanceof Transformation.CoProcessT co) {
            throw new IllegalStateException("a co-process reads " + co + " through an exchange, never in-stage");
          } else {
            main.add(target);
          }
        }
        for (JobGraph.Edge e : graph.edgesFrom(t)) {
          ExchangeOp x = new ExchangeOp(e.keyFn(), gates[e.toStage()], e.input() * config.parallelism());
          main.add(x);
          ops.add(x);
        }
        op.next = Fanout.of(main);
        if (op instanceof KeyedProcessOp kp) {
          side.forEach((tag, targets) -> kp.sideOutputs.put(tag, Fanout.of(targets)));
        }
      }
      ChainOp[] entries;
      if (stage.index() == 0) {
        entries = new ChainOp[graph.roots.size()];
        for (int r = 0; r < entries.length; r++) {
          entries[r] = opOf.get(graph.roots.get(r)).next;
        }
      } else {
        entries = new ChainOp[stage.inputs().size()];
        ChainOp head = opOf.get(stage.head());
        for (int in = 0; in < entries.length; in++) {
          entries[in] = head instanceof KeyedProcessOp kp ? kp.input(in) : head.next;
        }
      }
      StageOps stageOps = new StageOps(ops, entries, stage.index() == 0 && graph.tagged, graph.shape(stage));
      List<ChainOp> counted = new ArrayList<>();
      List<dev.onceflow.core.metrics.internal.SubtaskCounter[]> counters = new ArrayList<>();
      for (Transformation t : stage.nodes()) {
        if (t instanceof Transformation.MapT || t instanceof Transformation.FilterT
            || t instanceof Transformation.FlatMapT || t instanceof Transformation.ProcessT
            || t instanceof Transformation.CoProcessT) {
          counted.add(opOf.get(t));
          counters.add(meters.operatorRecords(stage.index(), graph.uid(t), JobGraph.kind(t), subtask));
        }
      }
      stageOps.countInto(counted, counters);
      return stageOps;
    }

    private ChainOp newOp(Transformation t, String uid, int subtask) {
      if (t instanceof Transformation.MapT m) {
        return new StatelessOps.MapOp(m.fn());
      } else if (t instanceof Transformation.FilterT f) {
        return new StatelessOps.FilterOp(f.fn());
      } else if (t instanceof Transformation.FlatMapT f) {
        return new StatelessOps.FlatMapOp(f.fn());
      } else if (t instanceof Transformation.ProcessT pr) {
        var fn = pr.factory().get();
        if (fn instanceof Deduplicate<?, ?> d) {
          meters.deduplicator(d);
        }
        return new KeyedProcessOp(uid, fn);
      } else if (t instanceof Transformation.CoProcessT co) {
        return new KeyedProcessOp(uid, co.factory().get());
      } else if (t instanceof Transformation.SinkT s) {
        Object sink = s.sink();
        if (sink instanceof TwoPhaseCommitSink<?> tpc) {
          @SuppressWarnings("unchecked")
          TwoPhaseCommitSinkOp op = new TwoPhaseCommitSinkOp(uid, (TwoPhaseCommitSink<Object>) tpc);
          op.onAbort = meters::transactionAborted;
          op.tokenTimeout = config.checkpointTimeout();
          op.written = meters.sinkWritten(s.sink().name(), subtask);
          sinkOps.add(op);
          return op;
        }
        @SuppressWarnings("unchecked")
        WriteThroughSink<Object> w = (WriteThroughSink<Object>) sink;
        WriteThroughSinkOp op = new WriteThroughSinkOp(w);
        op.written = meters.sinkWritten(s.sink().name(), subtask);
        return op;
      }
      return new ForwardOp(); // source or union root, union, side output
    }

    void startThreads() {
      for (int t = 0; t < tasks.size(); t++) {
        Thread th = new Thread(tasks.get(t), "onceflow-" + config.name() + "-" + taskKeys.get(t));
        th.setDaemon(true);
        threads.add(th);
      }
      for (Thread th : threads) {
        th.start();
      }
      coordinator.start();
    }

    void tearDown() {
      if (!finished) {
        cancel.cancel();
      }
      if (coordinator != null) {
        coordinator.shutdown();
      }
      for (Thread th : threads) {
        try {
          th.join(JOIN_MILLIS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        if (th.isAlive()) {
          LOG.error("Subtask thread {} did not stop within {} ms after cancellation; interrupting it", th.getName(),
              JOIN_MILLIS);
          th.interrupt();
        }
      }
      if (io != null) {
        io.shutdown();
        try {
          io.awaitTermination(JOIN_MILLIS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      for (PositionStore ps : positionStores) {
        try {
          ps.close();
        } catch (java.io.IOException e) {
          LOG.warn("Closing a position store failed", e);
        }
      }
    }

    @Override
    public void triggerSources(long id, boolean finalCheckpoint) {
      for (SourceTask s : sources) {
        s.triggerCheckpoint(id, finalCheckpoint);
      }
    }

    @Override
    public void commitSinks(long id) throws Exception {
      // per sink, every subtask's due tokens in one call, so a sink may commit its subtasks concurrently
      Map<TwoPhaseCommitSink<Object>, List<TwoPhaseCommitSinkOp>> bySink = new java.util.LinkedHashMap<>();
      for (TwoPhaseCommitSinkOp op : sinkOps) {
        bySink.computeIfAbsent(op.sink(), k -> new ArrayList<>()).add(op);
      }
      int committed = 0;
      for (var e : bySink.entrySet()) {
        List<List<TwoPhaseCommitSinkOp.PendingTxn>> due = new ArrayList<>();
        List<byte[]> tokens = new ArrayList<>();
        for (TwoPhaseCommitSinkOp op : e.getValue()) {
          List<TwoPhaseCommitSinkOp.PendingTxn> d = op.dueUpTo(id);
          due.add(d);
          d.forEach(p -> tokens.add(p.token()));
        }
        if (tokens.isEmpty()) {
          continue;
        }
        e.getKey().commitAll(tokens);
        for (int i = 0; i < due.size(); i++) {
          e.getValue().get(i).committed(due.get(i));
        }
        committed += tokens.size();
      }
      meters.transactionsCommitted(committed);
    }

    @Override
    public void checkpointCompleted(long id, Map<String, byte[]> snapshots) {
      checkpointsCompleted.incrementAndGet();
      lastCompleted = id;
      SourceCompletionNotifier.notify(graph.source, id, snapshots, taskKeys.subList(0, config.parallelism()));
      notifyListeners(l -> l.onCheckpointCompleted(id));
    }

    @Override
    public void sinksCommitted(long id, boolean finalCheckpoint) {
      notifyListeners(l -> l.onSinkCommitted(id));
      if (finalCheckpoint) {
        finished = true;
        done.countDown();
      }
    }

    @Override
    public void checkpointDiscarded(long id, String reason) {
      checkpointsFailed.incrementAndGet();
    }

    @Override
    public void checkpointTimed(long id, boolean isFinal, long triggeredAtMillis, long triggered, long acknowledged,
        long metadataWritten, long committed, long sizeBytes) {
      CheckpointStats stats = meters.checkpointCompleted(id, isFinal, triggeredAtMillis, triggered, acknowledged,
          metadataWritten, committed, sizeBytes);
      notifyListeners(l -> l.onCheckpointStats(stats));
    }

    @Override
    public void checkpointFailed(long id, boolean isFinal, long triggeredAtMillis, long triggered,
        CheckpointFailureReason reason) {
      CheckpointStats stats = meters.checkpointFailed(id, isFinal, triggeredAtMillis, triggered, reason);
      notifyListeners(l -> l.onCheckpointStats(stats));
    }
  }

  static String taskKey(int stage, int subtask) {
    return taskKeyPrefix(stage) + subtask;
  }

  /** The task keys of stage {@code stage} start with this. */
  static String taskKeyPrefix(int stage) {
    return "s" + stage + "-";
  }
}
