package dev.onceflow.core.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.log.LogTopics;
import dev.onceflow.core.testing.ChildJvm;
import dev.onceflow.log.Log;
import dev.onceflow.log.TopicConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two-input keyed operator under real crashes: {@link IntervalJoinCrashChild} (an interval join of two log
 * topics, EXACTLY_ONCE, barriers aligned across both inputs) is SIGKILLed while reading, after a pre-commit, after a
 * checkpoint completed and before its commit, and after commits, and restarted until it finishes. The committed pairs
 * must be exactly the pairs the input defines, each once.
 */
class IntervalJoinCrashTest {
  private static final long N = 12_000;
  private static final List<String> HOLDS = List.of("READ", "PRECOMMIT", "CKPT", "COMMITTED");

  @TempDir Path tmp;

  @Test
  void killedJoinCommitsEveryPairExactlyOnce() throws Exception {
    assertEquals(6, run(7, 6));
  }

  @Tag("soak")
  @Test
  void soakWithManyKills() throws Exception {
    assertEquals(50, run(System.nanoTime(), 50));
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
      LogTopics.fill(log, "left", 3, N, Long::toString);
      LogTopics.fill(log, "right", 2, N, Long::toString);
      log.createTopic("pairs", TopicConfig.partitions(2));
    }
    int killed = 0;
    for (int run = 0; ; run++) {
      assertTrue(run < kills + 20, "the job did not finish after " + run + " runs; see " + stderr);
      String hold = killed < kills ? HOLDS.get(done + killed < HOLDS.size() ? done + killed : random.nextInt(HOLDS.size()))
          : "NONE";
      int nth = 1 + random.nextInt(hold.equals("READ") ? 30 : 4);
      boolean finished = false;
      try (ChildJvm child = ChildJvm.start(IntervalJoinCrashChild.class, List.of(),
          List.of(logDir.toString(), ckpt.toString(), hold.equals("READ") || hold.equals("COMMITTED") ? "NONE" : hold,
              Integer.toString(nth)), stderr)) {
        int seen = 0;
        while (true) {
          String line = child.next();
          if (line == null) {
            throw new AssertionError("child exited with " + child.waitFor() + " before finishing; see "
                + Files.readString(stderr).lines().filter(s -> s.contains("Exception")).findFirst().orElse(""));
          }
          if (line.equals("FINISHED")) {
            assertEquals(0, child.waitFor());
            finished = true;
            break;
          }
          if (line.startsWith("HELD ")
              || (line.startsWith(hold + " ") && (hold.equals("READ") || hold.equals("COMMITTED")) && ++seen == nth)) {
            child.kill();
            killed++;
            break;
          }
        }
      }
      if (finished) {
        break;
      }
    }
    TreeSet<String> expected = new TreeSet<>();
    long keys = IntervalJoinCrashChild.KEYS;
    for (long l = 0; l < N; l++) {
      for (long r = Math.max(0, l + IntervalJoinCrashChild.LOWER); r <= l + IntervalJoinCrashChild.UPPER && r < N;
          r++) {
        if (l % keys == r % keys) {
          expected.add(l + "," + r);
        }
      }
    }
    try (Log log = Log.open(logDir)) {
      List<String> pairs = LogTopics.values(LogTopics.readCommitted(log, "pairs"));
      Map<String, Integer> times = new HashMap<>();
      for (String p : pairs) {
        times.merge(p, 1, Integer::sum);
      }
      long duplicated = times.values().stream().filter(c -> c > 1).count();
      TreeSet<String> missing = new TreeSet<>(expected);
      missing.removeAll(times.keySet());
      TreeSet<String> extra = new TreeSet<>(times.keySet());
      extra.removeAll(expected);
      assertTrue(duplicated == 0 && missing.isEmpty() && extra.isEmpty(), "after " + killed + " kills: "
          + duplicated + " pairs committed more than once, " + missing.size() + " missing (e.g. "
          + missing.stream().limit(5).toList() + "), " + extra.size() + " unexpected (e.g. "
          + extra.stream().limit(5).toList() + ")");
      assertEquals(expected.size(), pairs.size());
    }
    return killed;
  }
}
