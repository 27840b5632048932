package dev.onceflow.core.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for crash tests, on this JVM's class path: its stdout lines are queued for {@link #next}, its stderr is
 * appended to a file, and {@link #kill} is a real {@code SIGKILL} ({@link Process#destroyForcibly()} on POSIX). Shared
 * by the crash tests of core and of the connector modules (core's test-jar).
 */
public final class ChildJvm implements AutoCloseable {
  private static final String EOF = "\u0000EOF";

  private final Process process;
  private final Path stderr;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
  private volatile boolean ended;

  private ChildJvm(Process process, Path stderr) {
    this.process = process;
    this.stderr = stderr;
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (IOException e) {
        // the child was killed
      } finally {
        lines.add(EOF);
      }
    }, "child-stdout");
    pump.setDaemon(true);
    pump.start();
  }

  /**
   * Starts {@code mainClass} with {@code args}, after {@code jvmOptions} (a 256 MiB heap unless they set one),
   * appending its stderr to {@code stderr}.
   */
  public static ChildJvm start(Class<?> mainClass, List<String> jvmOptions, List<String> args, Path stderr)
      throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    if (jvmOptions.stream().noneMatch(o -> o.startsWith("-Xmx"))) {
      cmd.add("-Xmx256m");
    }
    cmd.addAll(jvmOptions);
    cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    p.getOutputStream().close();
    return new ChildJvm(p, stderr);
  }

  /**
   * The next stdout line, or null once the child's stdout ended (it exited or was killed).
   *
   * @throws AssertionError with the tail of its stderr if it printed nothing for {@code silence} (a hung child)
   */
  public String next(Duration silence) throws InterruptedException {
    if (ended) {
      return null;
    }
    String l = lines.poll(silence.toMillis(), TimeUnit.MILLISECONDS);
    if (l == null) {
      throw new AssertionError("the child printed nothing for " + silence.toSeconds() + " s; stderr:\n"
          + stderrTail());
    }
    if (l.equals(EOF)) {
      ended = true;
      return null;
    }
    return l;
  }

  /** {@link #next(Duration)} with a generous two minutes. */
  public String next() throws InterruptedException {
    return next(Duration.ofSeconds(120));
  }

  /** Reads lines until one equals {@code expected}; fails if the child ends first. */
  public void awaitLine(String expected) throws InterruptedException {
    for (String l; (l = next()) != null; ) {
      if (l.equals(expected)) {
        return;
      }
    }
    throw new AssertionError("the child exited (" + waitFor() + ") before printing " + expected + "; stderr:\n"
        + stderrTail());
  }

  /** SIGKILL, and waits until it is gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Waits for the exit and returns its code. */
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  /** The process (for SIGSTOP/SIGCONT by pid). */
  public Process process() {
    return process;
  }

  /** The last 30 lines of the child's stderr file (every child of a test may share it). */
  public String stderrTail() {
    try {
      List<String> l = Files.readAllLines(stderr);
      return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  /** Kills the child if it still runs. */
  @Override
  public void close() throws InterruptedException {
    if (process.isAlive()) {
      kill();
    }
    process.waitFor();
  }
}
