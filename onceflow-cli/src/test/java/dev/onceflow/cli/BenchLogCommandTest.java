package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchLogCommandTest {
  @TempDir Path dir;

  @Test
  void aSmallRunPrintsEveryScenario() {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "log", "--dir", dir.toString(), "--records", "2000",
        "--batch", "100");
    assertEquals(0, r.code(), r.err());
    assertEquals(18, r.out().lines().filter(l -> l.matches(".*\\d+\\.\\d\\s*$")).count(), r.out());
    assertTrue(r.out().contains("10000 records/txn"), r.out());
    assertTrue(r.out().contains("read 100 B"), r.out());
  }
}
