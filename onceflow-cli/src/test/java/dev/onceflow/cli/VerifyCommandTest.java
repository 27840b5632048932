package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class VerifyCommandTest {
  @TempDir Path tmp;

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    CommandLine cmd = new CommandLine(new Main());
    cmd.setOut(new java.io.PrintWriter(out));
    cmd.setErr(new java.io.PrintWriter(err));
    cmd.setParameterExceptionHandler((ex, a) -> {
      ex.getCommandLine().getErr().println("onceflow: " + ex.getMessage());
      return 2;
    });
    int code = cmd.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void badUsageExitsTwoWithOneLine() throws Exception {
    assertEquals(2, Main.run("verify", "--job", "nope", "--guarantee", "exactly-once"));
    assertEquals(2, Main.run("verify", "--job", "ledger", "--guarantee", "twice"));
    assertEquals(2, Main.run("verify", "--job", "ledger", "--guarantee", "exactly-once", "--events", "-1"));
    assertEquals(2, Main.run("verify", "--guarantee", "exactly-once"));
    assertEquals(2, Main.run("verify", "--job", "ledger", "--guarantee", "exactly-once", "--nemeses", "chaos"));
    assertEquals(2, Main.run("verify", "--job", "ledger", "--guarantee", "exactly-once", "--freezes", "-1"));
    Files.writeString(tmp.resolve("x"), "occupied");
    Run r = run("verify", "--job", "ledger", "--guarantee", "at-least-once", "--work-dir", tmp.toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("is not empty"), r.err());
  }

  @Test
  void kafkaOptionsAreCheckedBeforeAnyBrokerStarts() {
    Run r = run("verify", "--job", "ledger", "--guarantee", "exactly-once", "--bootstrap-servers", "127.0.0.1:9");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--bootstrap-servers needs --io kafka"), r.err());
    r = run("verify", "--io", "kafka", "--job", "ledger", "--guarantee", "exactly-once", "--retention",
        "--work-dir", tmp.resolve("w").toString());
    assertEquals(2, r.code());
    assertTrue(r.err().contains("retention nemesis needs the embedded log"), r.err());
  }

  @Test
  void postgresOptionsThatCannotHoldExitTwoBeforeAnythingRuns() {
    Run r = run("verify", "--job", "ledger", "--guarantee", "at-least-once", "--sink", "postgres", "--sink-mode",
        "insert-unique");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("--sink-mode upsert"), r.err());
    r = run("verify", "--job", "ledger", "--guarantee", "at-least-once", "--sink-mode", "upsert");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("need --sink postgres"), r.err());
    r = run("verify", "--job", "payments", "--guarantee", "at-least-once", "--sink", "postgres", "--jdbc-url",
        "jdbc:postgresql://127.0.0.1:1/db?password=hunter2");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("PGPASSWORD") && !r.err().contains("hunter2"), r.err());
    r = run("verify", "--job", "payments", "--guarantee", "at-least-once", "--sink", "postgres", "--sink-mode",
        "sometimes");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("two-phase"), r.err());
  }

  @Test
  void jsonRunPrintsExactlyOneObjectWithEveryField() throws Exception {
    Path work = tmp.resolve("work");
    Run r = run("verify", "--job", "clicks", "--guarantee", "exactly-once", "--events", "4000", "--crashes", "2",
        "--seed", "3", "--work-dir", work.toString(), "--json");
    assertEquals(0, r.code(), r.out() + r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(1, lines.size(), r.out());
    JsonNode j = new ObjectMapper().readTree(lines.get(0));
    for (String f : List.of("job", "guarantee", "events", "crashes", "restarts", "effects_expected", "lost",
        "duplicated", "exact", "promise_held", "seconds", "work_dir", "output_topic", "state_lost",
        "state_duplicated", "lingering_prepared", "nemeses", "kill_phases", "kill_points", "nemesis_events")) {
      assertTrue(j.has(f), "missing " + f + " in " + lines.get(0));
    }
    assertEquals("clicks", j.get("job").asText());
    assertEquals(4000, j.get("effects_expected").asLong());
    assertTrue(j.get("promise_held").asBoolean());
    assertEquals(work.toString(), j.get("work_dir").asText());
    assertTrue(Files.isDirectory(work.resolve("log")), "the table's log stays in the given work dir");
    assertEquals(j.get("crashes").asInt(), j.get("kill_points").size());
  }

  @Test
  void reportIsOneSelfContainedHtmlFileWithTheRunsNumbersAndKills() throws Exception {
    Path report = tmp.resolve("report.html");
    Run r = run("verify", "--job", "ledger", "--guarantee", "at-least-once", "--events", "3000", "--crashes", "2",
        "--seed", "5", "--work-dir", tmp.resolve("rw").toString(), "--json", "--report", report.toString());
    assertEquals(0, r.code(), r.out() + r.err());
    JsonNode j = new ObjectMapper().readTree(r.out().lines().toList().get(0));
    String html = Files.readString(report);
    assertTrue(!html.contains("<script src"), "nothing loaded from elsewhere");
    assertTrue(html.contains("echarts.init(") && html.length() > 500_000, "ECharts is inlined");
    int data = html.indexOf("const runs = ");
    JsonNode runs = new ObjectMapper().readTree(html.substring(data + 13, html.indexOf(";\n", data)));
    assertEquals(1, runs.size());
    JsonNode run = runs.get(0);
    assertEquals("ledger / at-least-once", run.get("label").asText());
    assertEquals(j.get("lost").asLong(), run.get("lost").asLong());
    assertEquals(j.get("duplicated").asLong(), run.get("duplicated").asLong());
    assertEquals(j.get("crashes").asInt(), run.get("kills").size());
    assertEquals(j.get("promise_held").asBoolean(), run.get("promiseHeld").asBoolean());
    // the checkpoint timeline: every checkpoint the child processes reported, the last process's final one included
    JsonNode cks = run.get("checkpoints");
    assertTrue(cks.size() >= 2, "checkpoints in the report: " + cks);
    int crashes = j.get("crashes").asInt();
    boolean lastHasFinal = false;
    for (JsonNode c : cks) {
      assertTrue(c.get("run").asInt() >= 0 && c.get("run").asInt() <= crashes, c.toString());
      if (c.get("failure").isNull()) {
        assertTrue(c.get("total").asDouble() > 0 && c.get("ack").asDouble() >= c.get("align").asDouble(),
            c.toString());
      }
      lastHasFinal |= c.get("final").asBoolean() && c.get("run").asInt() == crashes;
    }
    assertTrue(lastHasFinal, "the process that finished took the final checkpoint: " + cks);
  }

  @Test
  void nemesesAreParsedAndReported() {
    Run r = run("verify", "--job", "ledger", "--guarantee", "exactly-once", "--events", "6000", "--crashes", "2",
        "--seed", "4", "--nemeses", "rescale,freeze", "--work-dir", tmp.resolve("n").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("nemeses           rescale,freeze x1 (input layout round-robin)"), r.out());
    assertTrue(r.out().contains("kills by phase"), r.out());
    assertTrue(r.out().contains("freeze: SIGSTOP pid"), r.out());
  }

  @Test
  void readableReportSaysWhereTheTableLives() {
    Run r = run("verify", "--job", "clicks", "--guarantee", "at-least-once", "--events", "3000", "--crashes", "1",
        "--work-dir", tmp.resolve("w").toString());
    assertEquals(0, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("promise           HELD"), r.out());
    assertTrue(r.out().contains("table             topic clicks-output in " + tmp.resolve("w").resolve("log")),
        r.out());
  }
}
