package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
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
  void everyIntervalOfTheListIsOneRunWithItsTargetBesideIt() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "latency", "--events", "2000", "--rate", "4000",
        "--checkpoint-interval", "100,50", "--json");
    assertEquals(0, r.code(), r.err());
    List<String> lines = r.out().lines().filter(l -> l.startsWith("{")).toList();
    assertEquals(2, lines.size(), r.out());
    long[] intervals = {100, 50};
    for (int i = 0; i < 2; i++) {
      JsonNode j = new ObjectMapper().readTree(lines.get(i));
      assertEquals(intervals[i], j.get("checkpoint_interval_ms").asLong());
      assertEquals(2000, j.get("seen").asLong());
      assertEquals(intervals[i] + 20.0, j.get("target_p99_ms").asDouble());
      assertEquals(j.get("p99_ms").asDouble() <= intervals[i] + 20.0, j.get("target_met").asBoolean());
    }
  }

  @Test
  void theTextOutputPrintsTheTargetBesideTheResult() {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "latency", "--events", "1000", "--rate", "4000",
        "--checkpoint-interval", "50");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("p99 <= 70 ms: "), r.out());
  }

  @Test
  void aRepeatedOrNonPositiveIntervalIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "latency", "--checkpoint-interval", "50,50").code());
    assertEquals(2, LogCommandTest.run("", "bench", "latency", "--checkpoint-interval", "100,0").code());
  }

  @Test
  void aBadRateIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "latency", "--rate", "0").code());
  }
}
