package dev.onceflow.verify;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
 * {@link CrashSchedule} and starting it again with the same arguments (so on the same directories) after each kill.
 *
 * <p>If a run finishes before its trigger fires, the job is done and the remaining triggers are not used: the result
 * says how many kills really happened.
 */
public final class CrashHarness {
  private static final Logger LOG = LoggerFactory.getLogger(CrashHarness.class);
  private static final String EOF = "\u0000EOF";

  private final String mainClass;
  private final Path stderrFile;
  private final Duration silenceTimeout;
  private final List<String> jvmOptions;
  private Consumer<String> lineListener = l -> {};

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

  /**
   * What happened.
   *
   * @param crashes kills done
   * @param runs child processes started
   * @param kills one line per kill: run number, trigger and the line it fired on
   */
  public record Result(int crashes, int runs, List<String> kills) {
    /** Copies the list. */
    public Result {
      kills = List.copyOf(kills);
    }
  }

  /**
   * Runs the child until it finished, killing it per {@code schedule}.
   *
   * @param argsForRun the child's arguments for run {@code n} (0-based); normally the same every run
   * @throws ChildFailedException if a child exits on its own without finishing, exits non-zero after FINISHED, or
   *     hangs
   */
  public Result run(CrashSchedule schedule, IntFunction<List<String>> argsForRun) throws InterruptedException {
    int crashes = 0;
    List<String> kills = new ArrayList<>();
    int maxRuns = schedule.triggers().size() + 1;
    for (int run = 0; run < maxRuns; run++) {
      CrashSchedule.Trigger trigger = crashes < schedule.triggers().size() ? schedule.triggers().get(crashes) : null;
      Child child = new Child(argsForRun.apply(run));
      try {
        int seen = 0;
        while (true) {
          String line = child.lines.poll(silenceTimeout.toMillis(), TimeUnit.MILLISECONDS);
          if (line == null) {
            throw new ChildFailedException("child run " + run + " printed nothing for " + silenceTimeout
                + " (hung?); killed it. See " + stderrFile);
          }
          if (line.equals(EOF)) {
            int code = child.process.waitFor();
            throw new ChildFailedException("child run " + run + " exited with code " + code
                + " before printing FINISHED. " + stderrTail());
          }
          lineListener.accept(line);
          if (line.equals("FINISHED")) {
            int code = child.process.waitFor();
            if (code != 0) {
              throw new ChildFailedException("child run " + run + " printed FINISHED but exited with code " + code
                  + ". " + stderrTail());
            }
            return new Result(crashes, run + 1, kills);
          }
          if (trigger != null && line.startsWith(trigger.kind().name()) && ++seen == trigger.countdown()) {
            LockSupport.parkNanos(trigger.delayMicros() * 1000L); // the seeded delay: the kill lands mid-step
            child.process.destroyForcibly(); // SIGKILL on POSIX
            child.process.waitFor();
            crashes++;
            String what = "run " + run + ": killed on " + trigger + " at '" + line + "'";
            kills.add(what);
            LOG.debug(what);
            break;
          }
        }
      } finally {
        child.close();
      }
    }
    throw new AssertionError("unreachable: the last run has no trigger and ends in FINISHED or an exception");
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
      cmd.add(System.getProperty("java.class.path"));
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

    @Override
    public void close() throws InterruptedException {
      if (process.isAlive()) {
        process.destroyForcibly();
      }
      process.waitFor();
    }
  }
}
