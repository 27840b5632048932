package dev.onceflow.jdbc.crash;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs {@link JdbcCrashChild} in a child JVM, SIGKILLs it ({@link Process#destroyForcibly()}) on seeded triggers
 * drawn from its own output lines, and starts it again on the same directories until it prints FINISHED.
 */
final class ChildRunner {
  private static final String EOF = "\u0000EOF";

  /** Kill after the {@code countdown}-th line starting with {@code prefix} in a run, {@code delayMicros} later. */
  record Trigger(String prefix, int countdown, int delayMicros) {}

  record Result(int kills, int runs, List<String> what) {}

  private final Path stderr;
  private final List<String> jvmOptions;
  private Consumer<String> onLine = l -> {};

  ChildRunner(Path stderr, List<String> jvmOptions) {
    this.stderr = stderr;
    this.jvmOptions = jvmOptions;
  }

  ChildRunner onLine(Consumer<String> listener) {
    this.onLine = listener;
    return this;
  }

  /** Triggers for {@code kills} crashes: on progress, on a sink's barrier, on a completed checkpoint, on a commit. */
  static List<Trigger> schedule(long seed, int kills, boolean transactional) {
    SplittableRandom r = new SplittableRandom(seed);
    List<Trigger> out = new ArrayList<>();
    for (int i = 0; i < kills; i++) {
      int roll = r.nextInt(100);
      if (transactional && roll < 35) {
        out.add(new Trigger("BARRIER", 1 + r.nextInt(6), r.nextInt(3_000))); // between prepare and completion
      } else if (roll < 55) {
        out.add(new Trigger("CKPT", 1 + r.nextInt(6), r.nextInt(2_000))); // completed, maybe not committed
      } else if (roll < 70) {
        out.add(new Trigger("COMMITTED", 1 + r.nextInt(6), r.nextInt(5_000)));
      } else {
        out.add(new Trigger("PROGRESS", 1 + r.nextInt(4), r.nextInt(20_000)));
      }
    }
    return out;
  }

  Result run(List<String> args, List<Trigger> triggers, long silenceMillis) throws Exception {
    int kills = 0;
    List<String> what = new ArrayList<>();
    for (int run = 0; run <= triggers.size(); run++) {
      Trigger t = kills < triggers.size() ? triggers.get(kills) : null;
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.addAll(jvmOptions);
      cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), JdbcCrashChild.class.getName()));
      cmd.addAll(args);
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
      p.getOutputStream().close();
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Thread pump = new Thread(() -> {
        try (BufferedReader rd = new BufferedReader(new InputStreamReader(p.getInputStream(),
            StandardCharsets.UTF_8))) {
          for (String l; (l = rd.readLine()) != null; ) {
            lines.add(l);
          }
        } catch (java.io.IOException e) {
          // killed
        } finally {
          lines.add(EOF);
        }
      });
      pump.setDaemon(true);
      pump.start();
      try {
        int seen = 0;
        while (true) {
          String line = lines.poll(silenceMillis, TimeUnit.MILLISECONDS);
          if (line == null) {
            throw new AssertionError("child run " + run + " printed nothing for " + silenceMillis + " ms; stderr:\n"
                + tail());
          }
          if (line.equals(EOF)) {
            throw new AssertionError("child run " + run + " exited (" + p.waitFor() + ") before FINISHED; stderr:\n"
                + tail());
          }
          onLine.accept(line);
          if (line.equals("FINISHED")) {
            if (p.waitFor() != 0) {
              throw new AssertionError("child exited " + p.exitValue() + " after FINISHED:\n" + tail());
            }
            return new Result(kills, run + 1, what);
          }
          if (t != null && line.startsWith(t.prefix()) && ++seen == t.countdown()) {
            LockSupport.parkNanos(t.delayMicros() * 1000L); // the kill lands a seeded moment after the line
            p.destroyForcibly();
            p.waitFor();
            kills++;
            what.add("run " + run + " killed " + t + " at '" + line + "'");
            break;
          }
        }
      } finally {
        if (p.isAlive()) {
          p.destroyForcibly();
        }
        p.waitFor();
      }
    }
    throw new AssertionError("unreachable");
  }

  private String tail() {
    try {
      List<String> l = Files.readAllLines(stderr);
      return String.join("\n", l.subList(Math.max(0, l.size() - 30), l.size()));
    } catch (java.io.IOException e) {
      return "(no stderr)";
    }
  }
}
