package dev.onceflow.jdbc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The back-off of the plain-INSERT attempt: conflicts make it rarer (at most 1 in 65), a success restores it. */
class OptimisticInsertsTest {
  @Test
  void conflictsSkipDoublingAttemptsUpToTheCapAndASuccessResets() {
    OptimisticInserts o = new OptimisticInserts();
    assertTrue(o.attempt());
    int[] expectedSkips = {1, 2, 4, 8, 16, 32, 64, 64, 64};
    for (int expected : expectedSkips) {
      o.conflicted();
      assertEquals(expected, skipped(o), "batches without an attempt after a conflict");
    }
    o.succeeded();
    o.conflicted();
    assertEquals(1, skipped(o), "a success resets the back-off");
    assertTrue(o.attempt());
  }

  /** Counts the batches that skip the attempt until the next one makes it (that one is consumed). */
  private static int skipped(OptimisticInserts o) {
    int n = 0;
    while (!o.attempt()) {
      n++;
      if (n > 1000) {
        throw new AssertionError("never attempts again");
      }
    }
    return n;
  }
}
