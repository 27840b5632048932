package dev.onceflow.core.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.log.LogTopics;
import dev.onceflow.core.testing.ChildJvm;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.log.Log;
import dev.onceflow.log.TopicConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two transactional sinks fed from one source under EXACTLY_ONCE ({@link MultiSinkCrashChild}), SIGKILLed at seeded
 * points: while reading, after a pre-commit (checkpoint not complete), after a checkpoint completed and before any
 * sink committed, between the commits of the two sinks, after the commits. After every kill a child that only
 * recovers (and is killed right after its recovery) shows the outputs of both sinks agreeing: the ids committed in
 * "ids" are exactly those counted in "counts", none twice; each checkpoint's output is in both sinks or in neither.
 * At the end both outputs are exact.
 */
class MultiSinkCrashTest {
  private static final long N = 20_000;
  private static final List<String> HOLDS = List.of("READ", "PRECOMMIT", "CKPT", "COMMIT", "COMMITTED");

  @TempDir Path tmp;
  /** Kills that landed inside the second sink's commit, the first one's done. */
  private int heldBetweenCommits;

  @Test
  void everyCheckpointIsInBothSinksOrInNeither() throws Exception {
    assertEquals(8, run(42, 8));
    assertTrue(heldBetweenCommits > 0, "no kill landed between the two sinks' commits");
  }

  @Tag("soak")
  @Test
  void soakWithManyKills() throws Exception {
    assertEquals(60, run(System.nanoTime(), 60));
  }

  private int run(long seed, int kills) throws Exception {
    return KillRounds.run(tmp, seed, kills, this::round);
  }

  /** One round; {@code done} kills happened in earlier rounds. Returns its kills. */
  private int round(Path dir, Random random, int done, int kills) throws Exception {
    Path logDir = dir.resolve("log");
    Path ckpt = dir.resolve("ckpt");
    Path stderr = dir.resolve("child.err");
    Files.createDirectories(dir);
    try (Log log = Log.open(logDir)) {
      LogTopics.fill(log, "in", 3, N, Long::toString);
      log.createTopic("ids", TopicConfig.partitions(2));
      log.createTopic("counts", TopicConfig.partitions(2));
    }
    int killed = 0;
    for (int run = 0; ; run++) {
      assertTrue(run < kills + 20, "the job did not finish after " + run + " runs; see " + stderr);
      // every hold point in turn first, then at random
      String hold = killed < kills ? (done + killed < HOLDS.size() ? HOLDS.get(done + killed) : HOLDS.get(random.nextInt(
          HOLDS.size()))) : "NONE";
      int nth = 1 + random.nextInt(hold.equals("READ") ? 20 : 4);
      boolean finished = false;
      try (ChildJvm child = child(stderr, logDir.toString(), ckpt.toString(),
          hold.equals("READ") || hold.equals("COMMITTED") ? "NONE" : hold, Integer.toString(nth))) {
        int seen = 0;
        while (true) {
          String line = child.next();
          if (line == null) {
            throw new AssertionError("child exited with " + child.waitFor() + " before finishing; stderr:\n"
                + child.stderrTail());
          }
          if (line.equals("FINISHED")) {
            assertEquals(0, child.waitFor());
            finished = true;
            break;
          }
          boolean kill = line.startsWith("HELD ")
              || (line.startsWith(hold + " ") && (hold.equals("READ") || hold.equals("COMMITTED")) && ++seen == nth);
          if (kill) {
            heldBetweenCommits += line.startsWith("HELD COMMIT") ? 1 : 0;
            child.kill();
            killed++;
            break;
          }
        }
      }
      if (finished) {
        break;
      }
      assertConsistentAfterRecovery(logDir, ckpt, stderr);
    }
    try (Log log = Log.open(logDir)) {
      List<String> ids = LogTopics.values(LogTopics.readCommitted(log, "ids"));
      assertEquals(N, ids.size(), "ids committed");
      assertEquals(N, new HashSet<>(ids).size(), "ids committed more than once");
      Expectations.assertExactlyOnce(LogTopics.values(LogTopics.readCommitted(log, "counts")), N,
          i -> i % MultiSinkCrashChild.KEYS);
    }
    return killed;
  }

  private static ChildJvm child(Path stderr, String... args) throws java.io.IOException {
    return ChildJvm.start(MultiSinkCrashChild.class, List.of("-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"), List.of(args), stderr);
  }

  /** Recovers in a child, kills it before it writes anything new, and compares both sinks' committed outputs. */
  private void assertConsistentAfterRecovery(Path logDir, Path ckpt, Path stderr) throws Exception {
    try (ChildJvm child = child(stderr, logDir.toString(), ckpt.toString(), "RECOVERED", "1")) {
      while (true) {
        String line = child.next();
        if (line == null || line.equals("FINISHED")) {
          throw new AssertionError("the recovering child ended instead of holding after recovery; see " + stderr);
        }
        if (line.startsWith("HELD RECOVERED")) {
          child.kill();
          break;
        }
      }
    }
    try (Log log = Log.open(logDir)) {
      List<String> ids = LogTopics.values(LogTopics.readCommitted(log, "ids"));
      List<String> counts = LogTopics.values(LogTopics.readCommitted(log, "counts"));
      Set<String> idSet = new HashSet<>(ids);
      assertEquals(ids.size(), idSet.size(), "an id committed twice in 'ids'");
      List<String> counted = new ArrayList<>();
      for (String c : counts) {
        counted.add(c.substring(0, c.indexOf(',')));
      }
      Set<String> countedSet = new HashSet<>(counted);
      assertEquals(counted.size(), countedSet.size(), "an id counted twice in 'counts'");
      Set<String> onlyIds = new HashSet<>(idSet);
      onlyIds.removeAll(countedSet);
      Set<String> onlyCounted = new HashSet<>(countedSet);
      onlyCounted.removeAll(idSet);
      assertTrue(onlyIds.isEmpty() && onlyCounted.isEmpty(), "after recovery the two sinks disagree: a checkpoint's"
          + " output is in one sink and not the other (" + idSet.size() + " ids, " + countedSet.size() + " counted; "
          + onlyIds.size() + " only in 'ids', e.g. " + onlyIds.stream().limit(5).toList() + "; " + onlyCounted.size()
          + " only in 'counts', e.g. " + onlyCounted.stream().limit(5).toList() + ")");
    }
  }
}
