package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class VerifierTest {
  /** The soak seeds from System.nanoTime(): its --faults runs injected nothing while the product overflowed. */
  @Test
  void faultSeedsAreNeverNegativeSoEveryFaultsRunInjects() {
    for (long seed : new long[] {0, 77, 16_694_229_037_616L, Long.MAX_VALUE, Long.MIN_VALUE, -1}) {
      for (int run = 0; run < 30; run++) {
        long s = Verifier.faultSeed(seed, run);
        assertTrue(s >= 0, "seed " + seed + " run " + run + " gave " + s);
      }
    }
    assertNotEquals(Verifier.faultSeed(5, 0), Verifier.faultSeed(5, 1), "runs get different fault schedules");
  }
}
