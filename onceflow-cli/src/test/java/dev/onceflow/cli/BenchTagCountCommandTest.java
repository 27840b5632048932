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
        "--guarantee", "exactly-once", "--checkpoint-interval", "20", "--warmup", "10000", "--warmup-runs", "3", "--runs", "1",
        "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertEquals("tag-count", j.get("job").asText());
    assertEquals(100_000, j.get("events").asLong());
    assertEquals("EXACTLY_ONCE", j.get("guarantee").asText());
    assertEquals(20, j.get("checkpoint_interval_ms").asLong());
    assertEquals(10_000, j.get("warmup_events").asLong());
    int warmups = j.get("warmup_runs").asInt();
    assertTrue(warmups >= 1 && warmups <= 3, "at most --warmup-runs: " + warmups);
    assertEquals(warmups, j.get("warmup_jit_ms_runs").size());
    assertTrue(j.get("events_per_sec").asDouble() > 0);
    assertTrue(j.get("checkpoints_completed").asLong() >= 1);
    assertTrue(j.has("seconds") && j.has("parallelism"));
    assertEquals(1, j.get("runs").asInt());
  }

  @Test
  void severalRunsReportTheMedianRunAndListAll() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "tag-count", "--events", "50000", "--parallelism", "2",
        "--guarantee", "exactly-once", "--checkpoint-interval", "20", "--warmup", "0", "--runs", "3", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertEquals(3, j.get("runs").asInt());
    JsonNode all = j.get("events_per_sec_runs");
    assertEquals(3, all.size());
    double[] sorted = {all.get(0).asDouble(), all.get(1).asDouble(), all.get(2).asDouble()};
    java.util.Arrays.sort(sorted);
    assertEquals(sorted[1], j.get("events_per_sec").asDouble());
    assertEquals(50_000 / j.get("seconds").asDouble(), j.get("events_per_sec").asDouble(), 1e-6 * sorted[1]);
    JsonNode jit = j.get("jit_ms_runs");
    assertEquals(3, jit.size());
    assertTrue(jit.get(0).asLong() > 0, "a cold JVM's first run compiles: " + jit); // HotSpot reports it
    assertTrue(j.get("cores").asInt() >= 1);
  }

  /** Pairs without and with the dashboard; each "on" run is checked against the dashboard's /metrics. */
  @Test
  void theMetricsCostIsMeasuredInInterleavedPairs() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "tag-count", "--metrics-cost", "--events", "50000",
        "--checkpoint-interval", "20", "--warmup", "0", "--runs", "2", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertEquals(2, j.get("pairs").asInt());
    assertEquals(2, j.get("off_events_per_sec_runs").size());
    assertEquals(2, j.get("on_events_per_sec_runs").size());
    assertTrue(j.get("on_runs_scraped").asBoolean());
    assertEquals(j.get("on_events_per_sec").asDouble() / j.get("off_events_per_sec").asDouble(),
        j.get("on_to_off").asDouble(), 1e-9);
    assertTrue(j.get("off_cpu_ns_per_event").asDouble() > 0 && j.get("on_cpu_ns_per_event").asDouble() > 0);
    assertTrue(r.err().contains("pair 2, metrics on"), r.err());
  }

  @Test
  void aBadGuaranteeIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--guarantee", "twice").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--warmup-runs", "0").code());
  }
}
