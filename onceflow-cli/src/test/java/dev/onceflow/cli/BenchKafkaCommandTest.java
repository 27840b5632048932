package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BenchKafkaCommandTest {
  /**
   * SIGTERM (Ctrl-C is SIGINT; both run the shutdown hooks, neither the finally blocks) while the benchmark runs on
   * its own broker: the broker, a process of its own, must not outlive the command.
   */
  @Test
  void theLocalBrokerStopsWhenTheCommandIsTerminated() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
        System.getProperty("java.class.path"), Main.class.getName(), "bench", "kafka", "--records", "100000000",
        "--rate", "1000", "--seconds", "120", "--runs", "1").redirectErrorStream(true).start();
    CountDownLatch measuring = new CountDownLatch(1);
    StringBuilder output = new StringBuilder();
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(),
          StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          synchronized (output) {
            output.append(line).append('\n');
          }
          if (line.contains("load average")) {
            measuring.countDown(); // printed once the broker is up
          }
        }
      } catch (java.io.IOException e) {
        // the child is gone
      }
    });
    reader.setDaemon(true);
    reader.start();
    List<ProcessHandle> broker = List.of();
    try {
      assertTrue(measuring.await(120, TimeUnit.SECONDS), "the benchmark did not start: " + output);
      broker = child.descendants().toList();
      assertTrue(!broker.isEmpty(), "no broker process under the command");
      child.destroy(); // SIGTERM
      assertTrue(child.waitFor(60, TimeUnit.SECONDS), "the command did not exit on SIGTERM");
      for (ProcessHandle p : broker) {
        p.onExit().get(60, TimeUnit.SECONDS); // throws TimeoutException if the broker outlives the command
        assertTrue(!p.isAlive(), "broker process " + p.pid() + " still alive");
      }
    } finally {
      broker.forEach(ProcessHandle::destroyForcibly); // an orphaned broker is no descendant any more
      child.descendants().forEach(ProcessHandle::destroyForcibly);
      child.destroyForcibly();
    }
  }

  @Test
  void aNonPositiveSizeIsAUsageError() {
    for (String opt : List.of("--records", "--rate", "--seconds", "--runs")) {
      LogCommandTest.Result r = LogCommandTest.run("", "bench", "kafka", opt, "0");
      assertEquals(2, r.code(), opt + ": " + r.out() + r.err());
      assertTrue(r.err().contains("must be >= 1"), r.err());
    }
  }

  /**
   * A small run on its own broker: every row of the table, each with records/s, a percentage of the loop and a CPU
   * time per record (the committed output of every throughput run is counted back inside the command, which fails if
   * it is not complete).
   */
  @Test
  void aSmallRunPrintsEveryRowWithRateAndCpuPerRecord() {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "kafka", "--records", "3000", "--rate", "1000",
        "--seconds", "1", "--runs", "1");
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> rows = List.of("plain consume-produce loop", "map, no checkpoints", "map, at-least-once 1 s",
        "map, exactly-once 1 s", "map, exactly-once 100 ms", "tag-count, no checkpoints",
        "tag-count, at-least-once 1 s", "tag-count, exactly-once 1 s", "tag-count, exactly-once 100 ms");
    String table = r.out().substring(r.out().indexOf("scenario (median of rounds)"));
    for (String row : rows) {
      Matcher m = Pattern.compile(Pattern.quote(row)
          + " +(\\d+) +(\\d+)% +\\d+ \\.\\. +\\d+ +(\\d+\\.\\d\\d) +(\\d+)% +(\\d+\\.\\d)").matcher(table);
      assertTrue(m.find(), row + " not in\n" + table);
      assertTrue(Long.parseLong(m.group(1)) > 0 && Double.parseDouble(m.group(3)) > 0, row + ": " + m.group());
    }
    assertTrue(table.contains("CPU us/rec: CPU time of this JVM and of the broker's process"), table);
    // the exactly-once latency rows: where the time went (their checkpoints' phases, the latency's parts)
    for (String row : List.of("map, exactly-once 1 s", "map, exactly-once 100 ms")) {
      Matcher m = Pattern.compile(Pattern.quote(row) + ", latency rows \\(every round\\):\n  (\\d+) checkpoints, ms"
          + " median/p90/max: duration [\\d.]+/[\\d.]+/[\\d.]+, barrier start .*, sink commit [\\d./]+\n  latency"
          + " parts, ms p50/p99/mean of the slowest 1 %: due to trigger .*, trigger to committed .*, committed to"
          + " visible .*\n").matcher(table);
      assertTrue(m.find(), row + " phases not in\n" + table);
      assertTrue(Integer.parseInt(m.group(1)) > 0, m.group());
    }
    assertTrue(!table.contains("at-least-once 1 s, latency rows"), "at-least-once output is not visible at commits");
    // 3,000 records are read in far less than 5 s: the table says its ratios are not to be trusted
    assertTrue(table.contains("warning: the shortest throughput run lasted"), table);
  }

  /** --json: one object, every row with its median rate, its run seconds and (map and loop) latency percentiles. */
  @Test
  void jsonHasEveryRowWithItsRunSeconds() throws Exception {
    LogCommandTest.Result r = LogCommandTest.run("", "bench", "kafka", "--records", "2000", "--rate", "500",
        "--seconds", "1", "--runs", "1", "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    var o = new com.fasterxml.jackson.databind.ObjectMapper().readTree(r.out());
    assertEquals(2000, o.get("records").asInt());
    assertEquals(9, o.get("rows").size(), o.toString());
    for (var row : o.get("rows")) {
      assertTrue(row.get("records_per_sec").asDouble() > 0 && row.get("run_seconds").asDouble() > 0, row.toString());
      assertEquals(row.get("scenario").asText().startsWith("tag-count"), !row.has("p99_ms"), row.toString());
      boolean exactlyOnceLatency = row.get("scenario").asText().startsWith("map, exactly-once");
      assertEquals(exactlyOnceLatency, row.has("checkpoint_phases_ms"), row.toString());
      if (exactlyOnceLatency) {
        var ph = row.get("checkpoint_phases_ms");
        assertTrue(ph.get("checkpoints").asInt() > 0 && ph.get("duration").get(0).asDouble() > 0, ph.toString());
        var parts = row.get("latency_parts_ms");
        for (String part : List.of("due_to_trigger", "trigger_to_committed", "committed_to_visible")) {
          assertEquals(3, parts.get(part).size(), parts.toString());
        }
      }
    }
    assertTrue(o.get("shortest_run_seconds").asDouble() > 0, o.toString());
  }
}
