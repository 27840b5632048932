package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

class BenchLatencyCommandTest {
  @Test
  void aSmallRunSeesEveryEventOnceAndPrintsTheJsonFields() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "latency", "--events", "2000", "--rate", "4000",
        "--checkpoint-interval", "50", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertEquals("latency", j.get("job").asText());
    assertEquals(2000, j.get("events").asLong());
    assertEquals(2000, j.get("seen").asLong());
    assertEquals(1800, j.get("measured").asLong());
    assertEquals(4000, j.get("rate").asLong());
    assertEquals(50, j.get("checkpoint_interval_ms").asLong());
    for (String f : new String[] {"p50_ms", "p99_ms", "p999_ms", "max_ms", "seconds"}) {
      assertTrue(j.has(f), f);
    }
    assertTrue(j.get("p50_ms").asDouble() <= j.get("max_ms").asDouble());
  }

  @Test
  void aBadRateIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "latency", "--rate", "0").code());
  }
}
