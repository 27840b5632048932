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
    if (args[0].equals("matrix")) {
      // interleaved rounds so that background load hits every configuration alike; best per configuration
      long n = Long.parseLong(args[1]);
      Object[][] configs = {{Guarantee.AT_LEAST_ONCE, 0L}, {Guarantee.AT_LEAST_ONCE, 1000L},
          {Guarantee.EXACTLY_ONCE, 1000L}, {Guarantee.EXACTLY_ONCE, 100L}};
      double[] best = new double[configs.length];
      for (int round = 0; round < Integer.parseInt(args[2]); round++) {
        for (int c = 0; c < configs.length; c++) {
          TagCountBenchmark.Result r = TagCountBenchmark.run(n, 2, (Guarantee) configs[c][0], (Long) configs[c][1]);
          best[c] = Math.max(best[c], r.eventsPerSec());
          System.out.println("round " + round + " " + r);
        }
      }
      for (int c = 0; c < configs.length; c++) {
        System.out.printf("BEST %s %d ms: %.2f M events/s%n", configs[c][0], configs[c][1], best[c] / 1e6);
      }
      return;
    }
    for (int rep = 0; rep < Integer.parseInt(args.length > 4 ? args[4] : "1"); rep++) {
      System.out.println(TagCountBenchmark.run(Long.parseLong(args[0]), Integer.parseInt(args[1]),
          Guarantee.valueOf(args[2]), Long.parseLong(args[3])));
    }
  }
}
