package dev.onceflow.jdbc.crash;

import dev.onceflow.core.testing.ChildJvm;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs {@link JdbcCrashChild} in a child JVM, SIGKILLs it ({@link Process#destroyForcibly()}) on seeded triggers
 * drawn from its own output lines, and starts it again on the same directories until it prints FINISHED.
 */
final class ChildRunner {
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
      ChildJvm p = ChildJvm.start(JdbcCrashChild.class, jvmOptions, args, stderr);
      try {
        int seen = 0;
        while (true) {
          String line = p.next(Duration.ofMillis(silenceMillis));
          if (line == null) {
            throw new AssertionError("child run " + run + " exited (" + p.waitFor() + ") before FINISHED; stderr:\n"
                + p.stderrTail());
          }
          onLine.accept(line);
          if (line.equals("FINISHED")) {
            int code = p.waitFor();
            if (code != 0) {
              throw new AssertionError("child exited " + code + " after FINISHED:\n" + p.stderrTail());
            }
            return new Result(kills, run + 1, what);
          }
          if (t != null && line.startsWith(t.prefix()) && ++seen == t.countdown()) {
            LockSupport.parkNanos(t.delayMicros() * 1000L); // the kill lands a seeded moment after the line
            p.kill();
            kills++;
            what.add("run " + run + " killed " + t + " at '" + line + "'");
            break;
          }
        }
      } finally {
        p.close();
      }
    }
    throw new AssertionError("unreachable");
  }
}
