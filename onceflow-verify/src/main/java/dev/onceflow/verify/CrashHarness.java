package dev.onceflow.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a child JVM (this JVM's {@code java}, this JVM's class path, a given main class) until it prints
 * {@code FINISHED} and exits 0, killing it with SIGKILL ({@link Process#destroyForcibly()}) at the moments of a
 * {@link CrashSchedule} and starting it again (per a {@link RunPlan}, normally with the same arguments, so on the same
 * directories) after each kill. A {@link CrashSchedule.Action#FREEZE} trigger SIGSTOPs the child, starts a second one
 * with the same arguments, and SIGCONTs the first.
 *
 * <p>Progress through the input is estimated from the children's lines: a run starts where the last {@code CHECKPOINT}
 * line was seen (the records read before it, summed over the runs) and adds its own {@code PROGRESS} count. Triggers
 * are armed by that estimate, so kills spread over the whole run, and every kill is reported with its
 * {@link KillPoint.Phase phase} and estimated progress.
 *
 * <p>If a run finishes before its trigger fires, the job is done and the remaining triggers are not used: the result
 * says how many kills really happened.
 */
public final class CrashHarness {
  private static final Logger LOG = LoggerFactory.getLogger(CrashHarness.class);
  private static final String EOF = "\u0000EOF";
  /** Words in a second instance's error that show it was refused because the first one holds the directories. */
  static final List<String> LOCK_WORDS = List.of("lock", "owned by another", "in use by", "held by");

  private final String mainClass;
  private final Path stderrFile;
  private final Duration silenceTimeout;
  private final List<String> jvmOptions;
  private Consumer<String> lineListener = l -> {};
  private java.util.function.ObjIntConsumer<String> runLineListener = (l, run) -> {};
  private long totalRecords;
  private String classPath = System.getProperty("java.class.path");

  /**
   * A harness for children running {@code mainClass}.
   *
   * @param stderrFile the children's stderr is appended here
   * @param silenceTimeout a child that prints nothing for this long is killed and reported as hung
   * @param jvmOptions extra JVM options for the child (e.g. {@code -Xmx256m})
   */
  public CrashHarness(String mainClass, Path stderrFile, Duration silenceTimeout, List<String> jvmOptions) {
    this.mainClass = Objects.requireNonNull(mainClass, "mainClass");
    this.stderrFile = Objects.requireNonNull(stderrFile, "stderrFile");
    this.silenceTimeout = Objects.requireNonNull(silenceTimeout, "silenceTimeout");
    this.jvmOptions = List.copyOf(jvmOptions);
  }

  /** Sees every line the children print on stdout (from the harness thread). */
  public CrashHarness onLine(Consumer<String> listener) {
    this.lineListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /** Calls {@code listener} with every line a child prints and the child run (0 = first process) that printed it. */
  public CrashHarness onRunLine(java.util.function.ObjIntConsumer<String> listener) {
    this.runLineListener = Objects.requireNonNull(listener, "listener");
    return this;
  }

  /**
   * The children's class path (default: this JVM's). A user's pipeline classes must be on it, not in a class loader
   * of their own: core copies operators and state by Java serialisation, which resolves classes from the class path.
   */
  public CrashHarness classPath(String classPath) {
    this.classPath = Objects.requireNonNull(classPath, "classPath");
    return this;
  }

  /**
   * The number of input records one pass reads, for the progress estimate; 0 (default) = unknown: every trigger is
   * armed at once.
   */
  public CrashHarness totalRecords(long records) {
    this.totalRecords = records;
    return this;
  }

  /**
   * What happened.
   *
   * @param crashes kills done
   * @param runs child processes started for runs (not counting refused attempts and second instances)
   * @param kills one line per kill: run number, phase, trigger and the line it fired on
   * @param killPoints where each kill landed
   * @param events what the nemeses did (refused and accepted attempts, freezes)
   */
  public record Result(int crashes, int runs, List<String> kills, List<KillPoint> killPoints,
      List<NemesisEvent> events) {
    /** Copies the lists. */
    public Result {
      kills = List.copyOf(kills);
      killPoints = List.copyOf(killPoints);
      events = List.copyOf(events);
    }
  }

  /**
   * Runs the child until it finished, killing it per {@code schedule}, with the arguments {@code argsForRun} gives
   * for run {@code n} (0-based; normally the same every run).
   *
   * @throws ChildFailedException if a child exits on its own without finishing, exits non-zero after FINISHED, or
   *     hangs
   */
  public Result run(CrashSchedule schedule, IntFunction<List<String>> argsForRun) throws InterruptedException {
    return run(schedule, (run, checkpointed) -> List.of(RunPlan.Attempt.run(argsForRun.apply(run))));
  }

  /**
   * Runs the child until it finished, killing it per {@code schedule}, starting the children {@code plan} gives.
   *
   * @throws ChildFailedException if a child exits on its own without finishing (and not as a refusal its attempt
   *     allows), exits non-zero after FINISHED, or hangs
   */
  public Result run(CrashSchedule schedule, RunPlan plan) throws InterruptedException {
    return new Session(schedule, plan).run();
  }

  /** The mutable state of one {@link #run(CrashSchedule, RunPlan)}. */
  private final class Session {
    final CrashSchedule schedule;
    final RunPlan plan;
    final List<String> kills = new ArrayList<>();
    final List<KillPoint> killPoints = new ArrayList<>();
    final List<NemesisEvent> events = new ArrayList<>();
    int crashes;
    int runs;
    int next; // index of the next trigger
    boolean checkpointSeen;
    long checkpointEstimate; // records read (over all runs) at the last CHECKPOINT line
    // per run:
    long base;
    long read;
    boolean progressSeen;
    boolean inputEnded;
    int seen; // lines of the current trigger's kind seen since it was armed

    Session(CrashSchedule schedule, RunPlan plan) {
      this.schedule = schedule;
      this.plan = plan;
    }

    Result run() throws InterruptedException {
      int maxRuns = schedule.triggers().size() + 2;
      for (int run = 0; run < maxRuns; run++) {
        plan.beforeRun(run, checkpointSeen);
        List<RunPlan.Attempt> attempts = plan.attempts(run, checkpointSeen);
        if (attempts.isEmpty() || attempts.get(attempts.size() - 1).expect() == RunPlan.Expect.MUST_REFUSE) {
          throw new IllegalArgumentException("run plan for run " + run + " must end with an attempt that may run");
        }
        Boolean finished = null;
        for (RunPlan.Attempt a : attempts) {
          finished = attempt(run, a);
          if (finished != null) {
            break;
          }
        }
        if (finished == null) {
          throw new IllegalStateException("every attempt of run " + run + " was refused: " + attempts);
        }
        if (finished) {
          return new Result(crashes, runs, kills, killPoints, events);
        }
      }
      throw new ChildFailedException("the job did not finish after " + maxRuns + " runs (" + crashes + " kills)");
    }

    private void startRun() {
      base = checkpointEstimate;
      read = 0;
      progressSeen = false;
      inputEnded = false;
      seen = 0;
    }

    private double progress() {
      if (inputEnded) {
        return 1;
      }
      return totalRecords <= 0 ? 1 : Math.min(1, (base + read) / (double) totalRecords);
    }

    /** Notes a child's line in the progress state. */
    private void track(String line) {
      if (line.startsWith("PROGRESS ")) {
        read = parseLong(line.substring(9));
        progressSeen = true;
      } else if (line.startsWith("CHECKPOINT")) {
        checkpointSeen = true;
        checkpointEstimate = Math.max(checkpointEstimate, base + read);
      } else if (line.equals("INPUT_END")) {
        inputEnded = true;
      }
    }

    /**
     * Runs one attempt of run {@code run}. Returns true if the job finished, false if the child was killed (the run is
     * over), null if it was refused (try the next attempt).
     */
    private Boolean attempt(int run, RunPlan.Attempt a) throws InterruptedException {
      long stderrStart = stderrSize();
      startRun();
      Child child = new Child(a.args());
      boolean accepted = a.expect() == RunPlan.Expect.RUN;
      if (a.expect() != RunPlan.Expect.MUST_REFUSE) {
        runs++;
      }
      if (accepted) {
        plan.accepted(run, a);
      }
      try {
        while (true) {
          String line = child.poll();
          if (line == null) {
            throw new ChildFailedException("child run " + run + " (" + a.label() + ") printed nothing for "
                + silenceTimeout + " (hung?); killed it. See " + stderrFile);
          }
          if (line.equals(EOF)) {
            int code = child.process.waitFor();
            String err = stderrSince(stderrStart);
            if (!accepted) {
              String why = firstLineWith(err, a.refusalWords());
              if (code != 0 && why != null) {
                if (a.expect() != RunPlan.Expect.MUST_REFUSE) {
                  runs--;
                }
                events.add(new NemesisEvent(run, nemesisOf(a), a.label(), "refused", true, why));
                LOG.debug("run {}: {} refused: {}", run, a.label(), why);
                return null;
              }
            }
            throw new ChildFailedException("child run " + run + " (" + a.label() + ") exited with code " + code
                + " before printing FINISHED. " + stderrTail());
          }
          track(line);
          if (!accepted && isWork(line)) {
            accepted = true;
            if (a.expect() == RunPlan.Expect.MUST_REFUSE) {
              events.add(new NemesisEvent(run, nemesisOf(a), a.label(), "accepted", false,
                  "the engine restored the checkpoint and ran (it had to refuse)"));
              LOG.warn("run {}: {} was accepted, it had to be refused", run, a.label());
            } else {
              plan.accepted(run, a);
              events.add(new NemesisEvent(run, nemesisOf(a), a.label(), "accepted", true, ""));
            }
          }
          lineListener.accept(line);
          runLineListener.accept(line, run);
          if (line.equals("FINISHED")) {
            int code = child.process.waitFor();
            if (code != 0) {
              throw new ChildFailedException("child run " + run + " printed FINISHED but exited with code " + code
                  + ". " + stderrTail());
            }
            return true;
          }
          if (a.expect() == RunPlan.Expect.MUST_REFUSE) {
            if (accepted && line.startsWith("CHECKPOINT")) { // it wrote a checkpoint under the wrong settings
              child.process.destroyForcibly();
              child.process.waitFor();
              return null;
            }
            continue;
          }
          CrashSchedule.Trigger t = next < schedule.triggers().size() ? schedule.triggers().get(next) : null;
          if (t == null || !line.startsWith(t.kind().name()) || !armed(t)) {
            continue;
          }
          if (++seen < t.countdown()) {
            continue;
          }
          LockSupport.parkNanos(t.delayMicros() * 1000L); // the seeded delay: the action lands mid-step
          next++;
          seen = 0;
          if (t.action() == CrashSchedule.Action.FREEZE) {
            child = freeze(run, a, child);
            continue;
          }
          if (!child.process.isAlive()) {
            continue; // it exited on its own meanwhile (finished): its remaining lines say how
          }
          KillPoint.Phase phase = phase(run);
          double at = progress();
          child.process.destroyForcibly(); // SIGKILL on POSIX
          child.process.waitFor();
          crashes++;
          KillPoint k = new KillPoint(run, t.toString(), line, phase, at);
          killPoints.add(k);
          kills.add(k.toString());
          LOG.debug("kill {}", k);
          return false;
        }
      } finally {
        child.close();
      }
    }

    private boolean armed(CrashSchedule.Trigger t) {
      return t.kind() == CrashSchedule.Kind.STARTED || t.kind() == CrashSchedule.Kind.INPUT_END
          || progress() >= t.atProgress();
    }

    private KillPoint.Phase phase(int run) {
      if (inputEnded) {
        return KillPoint.Phase.FINAL_FLUSH;
      }
      if (run > 0 && !progressSeen) {
        return KillPoint.Phase.RECOVERY;
      }
      return checkpointSeen ? KillPoint.Phase.MID_RUN : KillPoint.Phase.BEFORE_FIRST_CHECKPOINT;
    }

    /**
     * SIGSTOPs {@code first}, starts a second instance with the same arguments and waits until it is refused (exits
     * without working) or works; then SIGCONTs the first. Returns the child the run goes on with: the first, or the
     * second if the second worked and the first was fenced (exited).
     */
    private Child freeze(int run, RunPlan.Attempt a, Child first) throws InterruptedException {
      String what = "SIGSTOP pid " + first.process.pid() + " at ~"
          + String.format(Locale.ROOT, "%.0f%%", progress() * 100) + ", second instance started";
      long stderrStart = stderrSize();
      signal("STOP", first.process.pid());
      Child second = null;
      try {
        second = new Child(a.args());
        while (true) {
          String line = second.poll();
          if (line == null) {
            events.add(new NemesisEvent(run, "freeze", what, "second waited", true,
                "the second instance printed nothing for " + silenceTimeout + " while the first was stopped"));
            return first;
          }
          if (line.equals(EOF)) {
            int code = second.process.waitFor();
            String err = stderrSince(stderrStart);
            String why = firstLineWith(err, LOCK_WORDS);
            if (code != 0) {
              events.add(new NemesisEvent(run, "freeze", what, "second refused", true,
                  why != null ? why : "exit code " + code + " (no lock named): " + lastLine(err)));
              return first;
            }
            events.add(new NemesisEvent(run, "freeze", what, "second exited 0", false,
                "the second instance exited 0 while the first held the directories"));
            return first;
          }
          if (isWork(line)) {
            break; // it runs while the first is stopped
          }
        }
        // the second runs: the first must now be fenced (exit on its own) once it continues
        signal("CONT", first.process.pid());
        boolean exited = first.process.waitFor(silenceTimeout.toMillis(), TimeUnit.MILLISECONDS);
        if (exited && first.process.exitValue() != 0) {
          events.add(new NemesisEvent(run, "freeze", what, "first fenced", true,
              "the second instance took over; the first exited with code " + first.process.exitValue()));
          first.close();
          Child took = second;
          second = null;
          return took;
        }
        events.add(new NemesisEvent(run, "freeze", what, "both ran", false,
            "the second instance ran while the first was stopped, and the first was not fenced when it continued"));
        return first;
      } finally {
        signal("CONT", first.process.pid());
        if (second != null) {
          second.close();
        }
      }
    }
  }

  private static String nemesisOf(RunPlan.Attempt a) {
    int space = a.label().indexOf(' ');
    return space < 0 ? a.label() : a.label().substring(0, space);
  }

  /** A line that shows the child is doing the job's work (not only starting or restoring). */
  private static boolean isWork(String line) {
    return line.startsWith("PROGRESS") || line.startsWith("CHECKPOINT") || line.startsWith("PREPARED")
        || line.startsWith("COMMIT") || line.equals("INPUT_END") || line.equals("FINISHED");
  }

  private static long parseLong(String s) {
    try {
      return Long.parseLong(s.trim());
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static void signal(String signal, long pid) throws InterruptedException {
    try {
      Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      p.waitFor();
    } catch (IOException e) {
      throw new ChildFailedException("cannot send SIG" + signal + " to pid " + pid + " with kill(1): " + e);
    }
  }

  private static String firstLineWith(String text, List<String> words) {
    for (String l : text.split("\n")) {
      String lower = l.toLowerCase(Locale.ROOT);
      if (lower.strip().startsWith("at ")) {
        continue; // a stack frame: the message line says more
      }
      for (String w : words) {
        if (lower.contains(w.toLowerCase(Locale.ROOT))) {
          return l.strip();
        }
      }
    }
    return null;
  }

  private static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines.length == 0 ? "" : lines[lines.length - 1].strip();
  }

  private long stderrSize() {
    try {
      return Files.exists(stderrFile) ? Files.size(stderrFile) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  private String stderrSince(long offset) {
    try (RandomAccessFile f = new RandomAccessFile(stderrFile.toFile(), "r")) {
      long len = f.length() - offset;
      if (len <= 0) {
        return "";
      }
      byte[] b = new byte[(int) Math.min(len, 1 << 20)];
      f.seek(offset);
      f.readFully(b);
      return new String(b, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private String stderrTail() {
    try {
      List<String> lines = Files.readAllLines(stderrFile, StandardCharsets.UTF_8);
      List<String> tail = lines.subList(Math.max(0, lines.size() - 15), lines.size());
      return "Last lines of " + stderrFile + ":\n" + String.join("\n", tail);
    } catch (IOException e) {
      return "(cannot read " + stderrFile + ": " + e + ")";
    }
  }

  private final class Child implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Child(List<String> args) {
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmOptions);
      cmd.add("-cp");
      cmd.add(classPath);
      cmd.add(mainClass);
      cmd.addAll(args);
      try {
        process = new ProcessBuilder(cmd)
            .redirectError(ProcessBuilder.Redirect.appendTo(stderrFile.toFile()))
            .start();
      } catch (IOException e) {
        throw new ChildFailedException("cannot start the child JVM " + cmd.get(0) + ": " + e);
      }
      try {
        process.getOutputStream().close(); // the child reads nothing from stdin
      } catch (IOException e) {
        throw new ChildFailedException("cannot close the stdin of the child JVM: " + e);
      }
      Thread pump = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            lines.add(l);
          }
        } catch (IOException e) {
          // the stream breaks when the child is killed: end of its output either way
        } finally {
          lines.add(EOF);
        }
      }, "verify-child-stdout");
      pump.setDaemon(true);
      pump.start();
    }

    String poll() throws InterruptedException {
      return lines.poll(silenceTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      process.waitFor();
    }
  }
}
