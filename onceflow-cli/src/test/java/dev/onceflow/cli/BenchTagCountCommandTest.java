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

  /** Modes interleaved in one JVM: every mode once per round, the order rotated, ratios to the first mode. */
  @Test
  void modesAreComparedInRotatedRounds() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "tag-count", "--compare",
        "exactly-once:0,at-most-once:0:4096,exactly-once:20", "--events", "50000", "--warmup", "10000", "--warmup-runs",
        "1", "--runs", "3", "--json");
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().filter(l -> l.startsWith("{")).findFirst().orElseThrow());
    assertTrue(j.get("compare").asBoolean());
    assertEquals(3, j.get("rounds").asInt());
    assertEquals(1, j.get("warmup_rounds").asInt());
    JsonNode modes = j.get("modes");
    assertEquals(3, modes.size());
    assertEquals("EXACTLY_ONCE", modes.get(0).get("guarantee").asText());
    assertEquals("AT_MOST_ONCE", modes.get(1).get("guarantee").asText());
    assertEquals(4096, modes.get(1).get("read_ahead").asInt());
    assertTrue(!modes.get(0).has("read_ahead"), "only AT_MOST_ONCE reads ahead");
    assertEquals(20, modes.get(2).get("checkpoint_interval_ms").asLong());
    assertEquals(1.0, modes.get(0).get("to_first").asDouble(), 1e-12);
    assertEquals(1.0, modes.get(0).get("to_first_paired").asDouble(), 1e-12);
    for (JsonNode m : modes) {
      assertEquals(3, m.get("events_per_sec_runs").size());
      assertEquals(3, m.get("checkpoints_completed_runs").size());
      assertEquals(m.get("events_per_sec").asDouble() / modes.get(0).get("events_per_sec").asDouble(),
          m.get("to_first").asDouble(), 1e-9);
    }
    assertTrue(modes.get(2).get("checkpoints_completed_runs").get(0).asLong() >= 1);
    // round 1 runs the modes in the given order, round 2 starts with the second, round 3 with the third
    String err = r.err();
    assertTrue(err.indexOf("round 1, EXACTLY_ONCE final") < err.indexOf("round 1, AT_MOST_ONCE"), err);
    assertTrue(err.indexOf("round 2, AT_MOST_ONCE") < err.indexOf("round 2, EXACTLY_ONCE 20 ms"), err);
    assertTrue(err.indexOf("round 2, EXACTLY_ONCE 20 ms") < err.indexOf("round 2, EXACTLY_ONCE final"), err);
    assertTrue(err.indexOf("round 3, EXACTLY_ONCE 20 ms") < err.indexOf("round 3, EXACTLY_ONCE final"), err);
  }

  @Test
  void aBadGuaranteeIsAUsageError() {
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--compare", "exactly-once").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--compare", "exactly-once:100").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--compare", "twice:0,exactly-once:0").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--compare", "exactly-once:0,exactly-once:-5").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--compare", "exactly-once:0,at-most-once:0:0").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--compare", "exactly-once:0,at-most-once:0:1:2").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--guarantee", "twice").code());
    assertEquals(2, LogCommandTest.run("", "bench", "tag-count", "--warmup-runs", "0").code());
  }
}
