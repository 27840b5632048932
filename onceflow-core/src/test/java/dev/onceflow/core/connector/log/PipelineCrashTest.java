package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.log.Log;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real crashes: a child JVM runs a log-to-log keyed-state pipeline and is killed with SIGKILL at seeded moments chosen
 * from its own progress output (records read, checkpoint completed, sinks committed); it is restarted on the same
 * directories until it finishes (a fresh round starts if kills remain). The committed output must then keep the guarantee. 12 kills per guarantee in the
 * default suite (36 in total); many more with -Psoak.
 */
class PipelineCrashTest {
  private static final long N = 40_000;
  private static final String EOF_MARK = "\u0000EOF";

  @TempDir Path tmp;

  private static final class Child implements AutoCloseable {
    final Process process;
    final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

    Child(Path logDir, Path ckptDir, Guarantee g, Path stderr) throws Exception {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", CrashChild.class.getName(),
          logDir.toString(), ckptDir.toString(), g.name())
          .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
          .start();
      Thread pump = new Thread(() -> {
        try (BufferedReader r = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          for (String l; (l = r.readLine()) != null; ) {
            lines.add(l);
          }
        } catch (java.io.IOException e) {
          // the child was killed
        } finally {
          lines.add(EOF_MARK);
        }
      }, "child-stdout");
      pump.setDaemon(true);
      pump.start();
    }

    /** Next line, or fails after a generous deadline (a hung child). */
    String next() throws InterruptedException {
      String l = lines.poll(120, TimeUnit.SECONDS);
      assertNotNull(l, "the child printed nothing for 120 s");
      return l;
    }

    @Override
    public void close() throws Exception {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /**
   * Runs rounds (fresh directories each) until {@code kills} kills happened in total; every round runs the job to its
   * end and its output is checked against the guarantee. Returns the number of kills.
   */
  private int killRounds(Guarantee g, long seed, int kills) throws Exception {
    Random random = new Random(seed);
    int total = 0;
    for (int round = 0; total < kills; round++) {
      Path dir = tmp.resolve("round-" + round);
      total += runWithKills(dir, g, random, kills - total);
      check(g, output(dir));
    }
    return total;
  }

  /** One round: returns the number of kills (at most {@code kills}). */
  private int runWithKills(Path dir, Guarantee g, Random random, int kills) throws Exception {
    Path logDir = dir.resolve("log");
    Path ckpt = dir.resolve("ckpt");
    Path stderr = dir.resolve("child.err");
    Files.createDirectories(dir);
    try (Log log = Log.open(logDir)) {
      LogTopics.fill(log, "posts", 3, N, Long::toString);
      log.createTopic("counts", dev.onceflow.log.TopicConfig.partitions(2));
    }
    int killed = 0;
    for (int run = 0; ; run++) {
      assertTrue(run < kills + 20, "the job did not finish after " + run + " runs; see " + stderr);
      boolean killThisRun = killed < kills;
      String kind = List.of("READ", "CKPT", "COMMITTED").get(random.nextInt(3));
      int countdown = 1 + random.nextInt(4);
      try (Child child = new Child(logDir, ckpt, g, stderr)) {
        while (true) {
          String line = child.next();
          if (line.equals(EOF_MARK)) {
            int code = child.process.waitFor();
            throw new AssertionError("child exited with " + code + " before finishing; see "
                + Files.readString(stderr).lines().filter(s -> s.contains("Exception")).findFirst().orElse(""));
          }
          if (line.equals("FINISHED")) {
            assertEquals(0, child.process.waitFor());
            return killed;
          }
          if (killThisRun && line.startsWith(kind) && --countdown == 0) {
            child.process.destroyForcibly(); // SIGKILL on POSIX
            child.process.waitFor();
            killed++;
            break;
          }
        }
      }
    }
  }

  private List<String> output(Path dir) {
    try (Log log = Log.open(dir.resolve("log"))) {
      return LogTopics.values(LogTopics.readCommitted(log, "counts"));
    }
  }

  private void check(Guarantee g, List<String> out) {
    switch (g) {
      case EXACTLY_ONCE -> Expectations.assertExactlyOnce(out, N, i -> i % CrashChild.KEYS);
      case AT_LEAST_ONCE -> Expectations.assertNothingMissing(out, N);
      case AT_MOST_ONCE -> Expectations.assertNothingDuplicated(out);
    }
  }

  @ParameterizedTest
  @EnumSource(Guarantee.class)
  void killedAndRestartedPipelineKeepsItsGuarantee(Guarantee g) throws Exception {
    assertEquals(12, killRounds(g, 42 + g.ordinal(), 12));
  }

  @Tag("soak")
  @Test
  void soakExactlyOnceWithManyKills() throws Exception {
    assertEquals(100, killRounds(Guarantee.EXACTLY_ONCE, System.nanoTime(), 100));
  }
}
