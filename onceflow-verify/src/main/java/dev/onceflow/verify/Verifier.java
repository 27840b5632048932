package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import dev.onceflow.log.LogConfig;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one verification: writes the job's input into {@code <work>/log}, runs the job in child JVMs killed per the
 * seeded {@link CrashSchedule} until it finished, then reads the committed output and {@link Checker checks} it.
 *
 * <p>Only one process owns the log at a time: this JVM writes the input and closes the log before the first child
 * starts, and opens it again only after the last child exited.
 */
public final class Verifier {
  private static final Logger LOG = LoggerFactory.getLogger(Verifier.class);
  private static final int FAULT_BUDGET_RUNS_SALT = 1_000_003;
  /** Log maintenance (retention) so rare it never runs by itself: the retention nemesis runs it between restarts. */
  static final long QUIET_MAINTENANCE_MS = 86_400_000L;
  static final LogConfig QUIET_LOG =
      LogConfig.builder().maintenanceInterval(Duration.ofMillis(QUIET_MAINTENANCE_MS)).build();
  static final int RETENTION_SEGMENT_BYTES = 16 * 1024;
  static final long RETENTION_BYTES = 64 * 1024;

  private Verifier() {}

  /** Runs {@code options}; see {@link #run(VerifyOptions, java.util.function.Consumer)}. */
  public static VerifyResult run(VerifyOptions options) throws InterruptedException {
    return run(options, line -> {});
  }

  /**
   * Runs {@code options}, passing every progress line of the children to {@code progress} (e.g. for a progress bar).
   *
   * @throws ChildFailedException if a child failed on its own (not a broken promise: an engine or environment error)
   * @throws IllegalArgumentException if the work directory is not empty
   */
  public static VerifyResult run(VerifyOptions o, java.util.function.Consumer<String> progress)
      throws InterruptedException {
    return run(o, CrashSchedule.fromSeed(o.seed(), o.crashes(), o.nemeses().freezes()), progress);
  }

  /**
   * Runs {@code options} with an explicit kill schedule instead of the one drawn from the seed (to replay a schedule,
   * or to aim kills at a chosen phase); the seed still drives the injected faults and the nemeses.
   */
  public static VerifyResult run(VerifyOptions o, CrashSchedule schedule, java.util.function.Consumer<String> progress)
      throws InterruptedException {
    long start = System.nanoTime();
    boolean temporary = o.workDir() == null;
    Path work = prepareWorkDir(o.workDir());
    Path logDir = work.resolve("log");
    InputLayout layout = o.nemeses().layout();
    List<InputEvent> input = JobInputs.generate(o.job(), o.events());
    Map<String, OutputStore> outs = new java.util.LinkedHashMap<>();
    try (InputStore in = Stores.input(o.io(), logDir)) {
      in.write(o.job(), o.partitions(), layout, o.nemeses().retention(), input);
      Map<String, String> io = new TreeMap<>(o.io().settings());
      io.putAll(in.childSettings());
      for (String output : o.job().outputs()) {
        OutputStore out = Stores.output(o, logDir, output);
        outs.put(output, out);
        out.create(o.job(), o.partitions());
        io.putAll(out.childSettings());
        if (o.job().outputs().size() > 1) {
          io.put(ChildIo.OUTPUT_PREFIX + output, Stores.storeOf(o.io(), o.job(), output));
        }
      }
      io.put(ChildIo.INPUT, o.io().input());
      io.put(ChildIo.OUTPUT, o.io().output());
      return runAndCheck(o, schedule, progress, start, temporary, work, layout, input, outs, io);
    } finally {
      for (OutputStore out : outs.values()) {
        out.close();
      }
    }
  }

  private static VerifyResult runAndCheck(VerifyOptions o, CrashSchedule schedule,
      java.util.function.Consumer<String> progress, long start, boolean temporary, Path work, InputLayout layout,
      List<InputEvent> input, Map<String, OutputStore> outs, Map<String, String> io) throws InterruptedException {
    Path logDir = work.resolve("log");
    Path checkpoints = work.resolve("checkpoints");
    long progressEvery = Math.max(1, input.size() / 40);
    AtomicInteger jobRestarts = new AtomicInteger();
    List<CheckpointRecord> checkpointTimeline = java.util.Collections.synchronizedList(new ArrayList<>());
    List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
    if (System.getProperty("onceflow.dashboard") != null) { // the CLI's --dashboard: each child JVM serves it in turn
      jvm.add("-Donceflow.dashboard=" + System.getProperty("onceflow.dashboard"));
    }
    CrashHarness harness = new CrashHarness(o.childMainClass(), work.resolve("child-stderr.log"),
        Duration.ofSeconds(120), jvm)
        .totalRecords(input.size())
        .onLine(line -> {
          if (line.startsWith("ATTEMPT_FAILED")) {
            jobRestarts.incrementAndGet();
            LOG.warn("A child's attempt failed in-process (the job restarts it): {}", line);
          }
          progress.accept(line);
        })
        .onRunLine((line, run) -> {
          CheckpointRecord c = CheckpointRecord.parse(run, line);
          if (c != null) {
            checkpointTimeline.add(c);
          }
        });
    NemesisPlan plan = new NemesisPlan(o, (run, g, parallelism) -> new JobRunSpec(o.job(), g, logDir, checkpoints,
        parallelism, o.checkpointIntervalMs(), progressEvery, o.faults() ? faultSeed(o.seed(), run) : -1,
        o.dedupTtlMs(), o.effectiveRecordsPerSecond(input.size()),
        o.nemeses().retention() ? QUIET_MAINTENANCE_MS : 0, io).toArgs(), logDir, JobRunSpec.inputTopic(o.job()),
        schedule.kills());
    CrashHarness.Result r = harness.run(schedule, plan);

    Map<String, List<OutputRecord>> outputs = new java.util.LinkedHashMap<>();
    Map<String, Integer> lingeringPerStore = new TreeMap<>(); // one count per store: it sees all the job's outputs
    for (var e : outs.entrySet()) {
      outputs.put(e.getKey(), e.getValue().readCommitted(o.job()));
      lingeringPerStore.putIfAbsent(Stores.storeOf(o.io(), o.job(), e.getKey()), e.getValue().lingeringTransactions());
    }
    int lingering = lingeringPerStore.values().stream().mapToInt(Integer::intValue).sum();
    CheckResult check = Checker.check(o.job(), o.events(), o.partitions(), layout, outputs);
    List<NemesisEvent> events = new ArrayList<>(plan.events());
    events.addAll(r.events());
    events.sort(java.util.Comparator.comparingInt(NemesisEvent::run));
    boolean nemesesHeld = events.stream().allMatch(NemesisEvent::held);
    boolean held = check.promiseHeld(o.guarantee()) && (o.guarantee() != Guarantee.EXACTLY_ONCE || lingering == 0)
        && nemesesHeld;
    boolean kept = true;
    if (temporary && held) {
      deleteRecursively(work);
      kept = false;
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    LOG.debug("verify {} {}: {} crashes, {}", o.job().cliName(), o.guarantee(), r.crashes(), check);
    return new VerifyResult(o, input.size(), r.crashes(), r.runs() - 1, jobRestarts.get(), check, held, seconds, work,
        kept, String.join(", ", o.job().outputs().stream().map(x -> JobRunSpec.outputTopic(o.job(), x)).toList()),
        lingering, r.kills(), r.killPoints(), events, List.copyOf(checkpointTimeline));
  }

  private static Path prepareWorkDir(Path dir) {
    try {
      if (dir == null) {
        return Files.createTempDirectory("onceflow-verify-");
      }
      if (Files.exists(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            throw new IllegalArgumentException("--work-dir " + dir + " is not empty: give a new or empty directory"
                + " (the verifier writes a fresh input log there)");
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the work directory " + dir, e);
    }
  }

  /**
   * The fault injector's seed for child run {@code run}: never negative, since -1 means "no faults" to the child (a
   * large seed times the salt overflowed negative, and --faults runs then silently injected nothing).
   */
  static long faultSeed(long seed, int run) {
    return (seed * FAULT_BUDGET_RUNS_SALT + run) & Long.MAX_VALUE;
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      LOG.warn("Could not delete the work directory {}: {}", dir, e.toString());
    }
  }
}
