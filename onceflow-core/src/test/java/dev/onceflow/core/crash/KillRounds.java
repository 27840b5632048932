package dev.onceflow.core.crash;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Random;

/** Crash tests that need a number of kills: rounds on fresh directories until that many kills landed. */
final class KillRounds {
  private KillRounds() {}

  /** One round on a fresh directory; {@code done} kills landed in earlier rounds. Returns the round's kills. */
  @FunctionalInterface
  interface Round {
    int run(Path dir, Random random, int done, int kills) throws Exception;
  }

  /**
   * Runs rounds in {@code tmp/round-N} until {@code kills} kills landed (a round can finish before its kills do);
   * fails if rounds after the fifth stop landing any. Returns the kills.
   */
  static int run(Path tmp, long seed, int kills, Round round) throws Exception {
    Random random = new Random(seed);
    int total = 0;
    for (int r = 0; total < kills; r++) {
      int before = total;
      total += round.run(tmp.resolve("round-" + r), random, total, kills - total);
      assertTrue(r < 5 || total > before, "no kill landed in round " + r);
    }
    return total;
  }
}
