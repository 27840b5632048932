package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchTagCountCommandTest {
  @Test
  void aSmallRunPrintsTheJsonFields() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "tag-count", "--events", "100000", "--parallelism", "2",
        "--guarantee", "exactly-once", "--checkpoint-interval", "20", "--warmup", "10000", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertEquals("tag-count", j.get("job").asText());
    assertEquals(100_000, j.get("events").asLong());
    assertEquals("EXACTLY_ONCE", j.get("guarantee").asText());
    assertEquals(20, j.get("checkpoint_interval_ms").asLong());
    assertEquals(10_000, j.get("warmup_events").asLong());
    assertTrue(j.get("events_per_sec").asDouble() > 0);
    assertTrue(j.get("checkpoints_completed").asLong() >= 1);
    assertTrue(j.has("seconds") && j.has("parallelism"));
  }

  @Test
  void aBadGuaranteeIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--guarantee", "twice").code());
  }
}
