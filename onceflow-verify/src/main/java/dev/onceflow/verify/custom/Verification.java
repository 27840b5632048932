package dev.onceflow.verify.custom;

import dev.onceflow.core.Guarantee;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.CrashHarness;
import dev.onceflow.verify.CrashSchedule;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.NemesisPlan;
import dev.onceflow.verify.Nemeses;
import dev.onceflow.verify.OutputRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * Verifies a {@link VerifiableJob} the way {@code onceflow verify} verifies the built-in jobs:
 * {@code Verification.of(MyJob.class).guarantee(EXACTLY_ONCE).crashes(20).seed(1).run()}.
 *
 * <p>It writes the job's input into an embedded log ({@code <work>/log}, topic {@code input}), closes it, and runs
 * the job in child JVMs ({@link CustomJobMain}) on the same log and checkpoint directory, killing each with SIGKILL at
 * the moments a {@link CrashSchedule} drawn from the seed picks (records read, right after a sink prepared, after a
 * checkpoint, after a commit, during recovery, during the end-of-input flush) and restarting it until it finished.
 * Then it reads the committed output (read-committed, up to the last stable offsets) and checks it against
 * {@link VerifiableJob#expect}. The seed changes the kills and injected faults, never the input unless the job's
 * {@link VerifiableJob#input} uses it.
 */
public final class Verification {
  static final String INPUT_TOPIC = "input";
  static final String OUTPUT_TOPIC = "output";
  static final String TEMP_PREFIX = "onceflow-verify-custom-";

  private final String className;
  private Guarantee guarantee = Guarantee.EXACTLY_ONCE;
  private int crashes = 5;
  private long seed = 1;
  private int events = 10_000;
  private int partitions = 4;
  private int parallelism = 2;
  private long checkpointIntervalMs = 200;
  private boolean faults;
  private Path workDir;
  private String classPath = "";
  private CrashSchedule schedule;
  private boolean rescale;
  private int freezes;

  private Verification(String className) {
    this.className = Objects.requireNonNull(className, "className");
  }

  /** A verification of {@code job} (needs a no-argument constructor; children create it by name). */
  public static Verification of(Class<? extends VerifiableJob> job) {
    return new Verification(job.getName());
  }

  /** A verification of the class named {@code className}, found on this JVM's class path or {@link #classPath}. */
  public static Verification of(String className) {
    return new Verification(className);
  }

  /** The guarantee the pipeline runs under and must keep (default EXACTLY_ONCE). */
  public Verification guarantee(Guarantee g) {
    this.guarantee = Objects.requireNonNull(g, "guarantee");
    return this;
  }

  /** SIGKILLs to inject (default 5; fewer happen if the job finishes first, the report says how many). */
  public Verification crashes(int k) {
    require(k >= 0, "crashes must be >= 0, was " + k);
    this.crashes = k;
    return this;
  }

  /** The seed of the kill schedule and injected faults, and the job's input generator (default 1). */
  public Verification seed(long s) {
    this.seed = s;
    return this;
  }

  /** Input records (default 10,000). */
  public Verification events(int n) {
    require(n >= 0, "events must be >= 0, was " + n);
    this.events = n;
    return this;
  }

  /** Input and output topic partitions (default 4). */
  public Verification partitions(int p) {
    require(p >= 1 && p <= 1024, "partitions must be between 1 and 1024, was " + p);
    this.partitions = p;
    return this;
  }

  /** The pipeline's parallelism (default 2). */
  public Verification parallelism(int p) {
    require(p >= 1 && p <= 128, "parallelism must be between 1 and 128, was " + p);
    this.parallelism = p;
    return this;
  }

  /** The checkpoint interval (default 200 ms). */
  public Verification checkpointInterval(Duration d) {
    require(d.toMillis() >= 1, "the checkpoint interval must be >= 1 ms, was " + d);
    this.checkpointIntervalMs = d.toMillis();
    return this;
  }

  /**
   * Also inject exceptions (source reads, sink writes, pre-commits, commits; at most 3 per child process) and give the
   * job a restart strategy, so in-process restarts happen between the kills (default off).
   */
  public Verification faults(boolean on) {
    this.faults = on;
    return this;
  }

  /** The work directory (must be empty or absent; kept afterwards); default a temporary one, kept only if broken. */
  public Verification workDir(Path dir) {
    this.workDir = dir;
    return this;
  }

  /** Extra class path for the job's class (jars or directories, separated by the path separator). */
  public Verification classPath(String cp) {
    this.classPath = Objects.requireNonNull(cp, "classPath");
    return this;
  }

  /**
   * The rescale nemesis (default off): every restart first tries another parallelism in 1..max(2, min(partitions,
   * 4)), up or down, the last planned one down to 1; a rescaling the engine refuses by design (AT_MOST_ONCE after a
   * checkpoint) is held and the run goes on at the previous parallelism. Reported in
   * {@link VerificationReport#nemesisEvents()}.
   */
  public Verification rescale(boolean on) {
    this.rescale = on;
    return this;
  }

  /**
   * The freeze nemesis (default 0): {@code n} times during the run (seeded points), SIGSTOP the child, start a second
   * instance on the same directories, which must be refused (or fence the first), then SIGCONT the first.
   */
  public Verification freezes(int n) {
    require(n >= 0, "freezes must be >= 0, was " + n);
    this.freezes = n;
    return this;
  }

  /** Kill at these moments instead of the schedule drawn from the seed (to aim kills, or to replay a schedule). */
  public Verification schedule(CrashSchedule s) {
    this.schedule = s;
    return this;
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /**
   * Runs the verification.
   *
   * @throws IllegalArgumentException if the job class cannot be loaded or created, or the work directory is not empty
   * @throws dev.onceflow.verify.ChildFailedException if a child failed on its own (an exception in the pipeline, an
   *     environment error: not a broken promise); its stderr is in {@code <work>/child-stderr.log}
   */
  public VerificationReport run() throws InterruptedException {
    long start = System.nanoTime();
    VerifiableJob job = JobLoader.load(className, classPath);
    boolean temporary = workDir == null;
    Path work = prepare(workDir);
    Path logDir = work.resolve("log");
    List<String> input = List.copyOf(job.input(seed, events));
    try (Log log = Log.open(logDir)) {
      log.createTopic(INPUT_TOPIC, TopicConfig.partitions(partitions));
      log.createTopic(OUTPUT_TOPIC, TopicConfig.partitions(partitions));
      writeInput(log, job, input);
    }
    AtomicInteger restarts = new AtomicInteger();
    CrashHarness harness = new CrashHarness(CustomJobMain.class.getName(), work.resolve("child-stderr.log"),
        Duration.ofSeconds(120), List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"))
        .totalRecords(input.size())
        .classPath(JobLoader.childClassPath(classPath))
        .onLine(l -> {
          if (l.startsWith("ATTEMPT_FAILED")) {
            restarts.incrementAndGet();
          }
        });
    long rate = Math.max(5_000, input.size() / 2); // one pass ~2 s, so the kills land mid-run
    long progressEvery = Math.max(1, input.size() / 40);
    CrashSchedule kills = schedule != null ? schedule : CrashSchedule.fromSeed(seed, crashes, freezes);
    NemesisPlan plan = NemesisPlan.forPipeline(new Nemeses(rescale, false, false, false, freezes), guarantee, seed,
        partitions, parallelism, (run, g, p) -> CustomJobMain.args(className, g, logDir, work.resolve("checkpoints"),
            p, checkpointIntervalMs, progressEvery, rate, faults ? (seed * 1_000_003 + run) & Long.MAX_VALUE : -1),
        logDir, INPUT_TOPIC, kills.kills());
    CrashHarness.Result r = harness.run(kills, plan);
    List<NemesisEvent> events = new ArrayList<>(plan.events());
    events.addAll(r.events());
    events.sort(Comparator.comparingInt(NemesisEvent::run));
    List<OutputRecord> output;
    int lingering;
    try (Log log = Log.open(logDir)) {
      output = readCommitted(log);
      lingering = log.preparedTransactions("").size();
    }
    CheckResult check = job.expect(input).check(output);
    boolean held = check.promiseHeld(guarantee) && (guarantee != Guarantee.EXACTLY_ONCE || lingering == 0)
        && events.stream().allMatch(NemesisEvent::held);
    boolean kept = true;
    if (temporary && held) {
      delete(work);
      kept = false;
    }
    return new VerificationReport(className, guarantee, input.size(), r.crashes(), restarts.get(), check, lingering,
        held, r.killPoints(), work, kept, (System.nanoTime() - start) / 1e9, events);
  }

  private void writeInput(Log log, VerifiableJob job, List<String> input) {
    List<List<ProducerRecord>> batches = new ArrayList<>();
    for (int p = 0; p < partitions; p++) {
      batches.add(new ArrayList<>());
    }
    for (int i = 0; i < input.size(); i++) {
      String v = Objects.requireNonNull(input.get(i), "input record " + i);
      batches.get(i % partitions).add(new ProducerRecord(null, v.getBytes(StandardCharsets.UTF_8),
          job.eventTime(i, v), null));
    }
    try (Producer producer = log.idempotentProducer()) {
      for (int p = 0; p < partitions; p++) {
        if (!batches.get(p).isEmpty()) {
          producer.sendBatch(new TopicPartition(INPUT_TOPIC, p), batches.get(p));
        }
      }
    }
  }

  private static List<OutputRecord> readCommitted(Log log) {
    List<OutputRecord> out = new ArrayList<>();
    try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < log.partitions(OUTPUT_TOPIC); i++) {
        tps.add(new TopicPartition(OUTPUT_TOPIC, i));
      }
      c.assign(tps);
      tps.forEach(c::seekToBeginning);
      while (true) {
        List<LogRecord> batch = c.poll(10_000);
        for (LogRecord r : batch) {
          out.add(new OutputRecord(r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8),
              new String(r.value(), StandardCharsets.UTF_8)));
        }
        if (batch.isEmpty() && tps.stream().allMatch(tp -> c.position(tp) >= log.lastStableOffset(tp))) {
          return out;
        }
      }
    }
  }

  private static Path prepare(Path dir) {
    try {
      if (dir == null) {
        return Files.createTempDirectory(TEMP_PREFIX);
      }
      if (Files.exists(dir)) {
        try (Stream<Path> s = Files.list(dir)) {
          if (s.findAny().isPresent()) {
            throw new IllegalArgumentException("work directory " + dir + " is not empty: give a new or empty one"
                + " (the verification writes a fresh input log there)");
          }
        }
      }
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the work directory " + dir, e);
    }
  }

  static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a leftover temporary directory is harmless; the report says where it was
    }
  }
}
