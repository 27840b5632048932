package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The harness with the tiny engine-free child: real JVMs, real SIGKILLs, real fsync'd files. */
class CrashHarnessTest {
  private static final long N = 1500;

  @TempDir Path tmp;

  private CrashHarness harness() {
    return new CrashHarness(AppendingChild.class.getName(), tmp.resolve("child.err"), Duration.ofSeconds(60),
        List.of("-Xmx64m", "-XX:TieredStopAtLevel=1"));
  }

  @Test
  void killsTheChildAsScheduledAndRestartsItUntilItFinishes() throws Exception {
    Path data = tmp.resolve("data");
    Path starts = tmp.resolve("starts");
    CrashSchedule schedule = CrashSchedule.fromSeed(7, 6);
    CrashHarness.Result r = harness().run(schedule,
        run -> List.of(data.toString(), Long.toString(N), starts.toString()));

    assertEquals(6, r.crashes(), r.kills()::toString);
    assertEquals(7, r.runs());
    // every run really started a JVM, and only the last one reached the end: the kills landed mid-run
    assertEquals(List.of("START", "START", "START", "START", "START", "START", "START", "END"),
        Files.readAllLines(starts));
    List<String> lines = Files.readAllLines(data, StandardCharsets.UTF_8);
    assertEquals(N, lines.size());
    for (int i = 0; i < N; i++) {
      assertEquals(Integer.toString(i), lines.get(i));
    }
  }

  @Test
  void sameSeedGivesTheSameScheduleAndOtherSeedsDiffer() {
    assertEquals(CrashSchedule.fromSeed(42, 50), CrashSchedule.fromSeed(42, 50));
    assertNotEquals(CrashSchedule.fromSeed(42, 50), CrashSchedule.fromSeed(43, 50));
    CrashSchedule s = CrashSchedule.fromSeed(1, 1000);
    for (CrashSchedule.Kind k : CrashSchedule.Kind.values()) {
      assertTrue(s.triggers().stream().anyMatch(t -> t.kind() == k), "no trigger of kind " + k);
    }
  }

  @Test
  void aChildThatDiesOnItsOwnIsReportedWithItsStderr() throws Exception {
    Path data = tmp.resolve("data");
    Files.writeString(data, "0\n7\n"); // not a prefix: the child refuses to start
    ChildFailedException e = assertThrows(ChildFailedException.class, () -> harness().run(
        CrashSchedule.fromSeed(1, 2), run -> List.of(data.toString(), "10", tmp.resolve("s").toString())));
    assertTrue(e.getMessage().contains("exited with code 3"), e.getMessage());
    assertTrue(e.getMessage().contains("expected line 1 but found 7"), e.getMessage());
  }

  @Test
  void aRunThatFinishesBeforeItsTriggerEndsTheJobWithFewerCrashes() throws Exception {
    Path data = tmp.resolve("data");
    CrashSchedule late = new CrashSchedule(List.of(new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 1000, 0)));
    CrashHarness.Result r = harness().run(late, run -> List.of(data.toString(), "20", tmp.resolve("s").toString()));
    assertEquals(0, r.crashes());
    assertEquals(1, r.runs());
  }
}
