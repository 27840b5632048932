package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The pieces of a failover test: a {@link JobMain} child whose stdout lines are collected, waiting for its n-th
 * commit, signals (SIGSTOP / SIGCONT), and copying a frozen child's directories for its successor.
 */
public final class FailoverChild {
  private FailoverChild() {}

  /** Starts {@link JobMain} for {@code spec}; stderr appended to {@code errFile}, stdout lines into {@code lines}. */
  public static Process start(JobRunSpec spec, Path errFile, BlockingQueue<String> lines) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
        JobMain.class.getName()));
    cmd.addAll(spec.toArgs());
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(errFile.toFile())).start();
    p.getOutputStream().close();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (java.io.IOException e) {
        // the child ended
      }
    });
    pump.setDaemon(true);
    pump.start();
    return p;
  }

  /** Waits for the child's {@code n}-th {@code COMMIT} line; fails if it finished first or none came in time. */
  public static void awaitCommits(BlockingQueue<String> lines, int n, long millis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    int seen = 0;
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (l != null && l.startsWith("COMMIT") && ++seen == n) {
        return;
      }
      if ("FINISHED".equals(l)) {
        throw new AssertionError("the job finished before its " + n + "th commit");
      }
    }
    throw new AssertionError("no " + n + "th COMMIT within " + millis + " ms");
  }

  /** Sends {@code sig} (STOP, CONT...) to the process. */
  public static void signal(Process p, String sig) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor());
  }

  /** Copies the directory tree {@code from} to {@code to}. */
  public static void copyTree(Path from, Path to) throws Exception {
    try (var walk = Files.walk(from)) {
      for (Path f : (Iterable<Path>) walk::iterator) {
        Path t = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(t);
        } else {
          Files.copy(f, t);
        }
      }
    }
  }
}
