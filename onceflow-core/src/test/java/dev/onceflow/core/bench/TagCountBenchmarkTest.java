package dev.onceflow.core.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import org.junit.jupiter.api.Test;

class TagCountBenchmarkTest {
  @Test
  void smallRunCommitsExactlyNCounts() throws Exception {
    TagCountBenchmark.Result r = TagCountBenchmark.run(300_000, 2, Guarantee.EXACTLY_ONCE, 20);
    assertEquals(300_000, r.events());
    assertTrue(r.checkpointsCompleted() >= 1);
  }

  /** Manual entry point for measuring: java ... TagCountBenchmarkTest N P G MS. */
  public static void main(String[] args) throws Exception {
    for (int rep = 0; rep < Integer.parseInt(args.length > 4 ? args[4] : "1"); rep++) {
      System.out.println(TagCountBenchmark.run(Long.parseLong(args[0]), Integer.parseInt(args[1]),
          Guarantee.valueOf(args[2]), Long.parseLong(args[3])));
    }
  }
}
