package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A small {@code bench postgres} run on a throwaway server: every scenario is measured and checked (row counts). */
class BenchPostgresCommandTest {
  @Test
  void aSmallRunMeasuresEveryScenarioAgainstThePlainLoop() {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "postgres", "--rows", "3000", "--runs", "1");
    assertEquals(0, r.code(), r.err());
    String summary = r.out().substring(r.out().indexOf("medians over 1 runs"));
    for (String scenario : List.of("upsert, checkpoints 1000 ms", "insert-unique, checkpoints 1000 ms",
        "exactly-once, checkpoints 1000 ms", "two-phase, checkpoints 1000 ms", "upsert, checkpoints 100 ms",
        "exactly-once, checkpoints 100 ms", "plain loop sending the upsert statement",
        "plain loop sending the sinks' array insert")) {
      assertTrue(summary.lines().anyMatch(l -> l.startsWith(scenario) && l.contains("%")), scenario + ": " + summary);
    }
    assertTrue(summary.contains("load average before"), summary);
  }

  @Test
  void zeroRunsIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "postgres", "--runs", "0").code());
  }
}
