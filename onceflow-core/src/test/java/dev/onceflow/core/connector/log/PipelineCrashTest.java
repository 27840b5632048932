package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.testing.ChildJvm;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.log.Log;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
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

  @TempDir Path tmp;

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
      try (ChildJvm child = ChildJvm.start(CrashChild.class, List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=info"),
          List.of(logDir.toString(), ckpt.toString(), g.name()), stderr)) {
        while (true) {
          String line = child.next();
          if (line == null) {
            throw new AssertionError("child exited with " + child.waitFor() + " before finishing; stderr:\n"
                + child.stderrTail());
          }
          if (line.equals("FINISHED")) {
            assertEquals(0, child.waitFor());
            return killed;
          }
          if (killThisRun && line.startsWith(kind) && --countdown == 0) {
            child.kill();
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
