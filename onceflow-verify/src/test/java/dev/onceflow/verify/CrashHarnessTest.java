package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
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
    CrashSchedule schedule = new CrashSchedule(List.of(
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 3, 2_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 1, 500),
        new CrashSchedule.Trigger(CrashSchedule.Kind.STARTED, 1, 50_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.CHECKPOINT, 2, 1_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.COMMIT, 1, 3_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 5, 0)));
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
  void seededKillsSpreadOverTheWholeRunAndEndInTheFinalFlush() {
    CrashSchedule s = CrashSchedule.fromSeed(3, 1000, 5);
    assertEquals(1000, s.kills());
    assertEquals(5, s.triggers().stream().filter(t -> t.action() == CrashSchedule.Action.FREEZE).count());
    int[] deciles = new int[10];
    double last = 0;
    boolean inFlush = false;
    for (CrashSchedule.Trigger t : s.triggers()) {
      if (t.kind() == CrashSchedule.Kind.INPUT_END) {
        inFlush = true;
        continue;
      }
      assertFalse(inFlush, "the end-of-input kills go last: " + t);
      assertTrue(t.atProgress() >= last, "arming points are sorted: " + t);
      last = t.atProgress();
      if (t.action() == CrashSchedule.Action.KILL) {
        deciles[(int) (t.atProgress() * 10)]++;
      }
    }
    for (int d = 0; d < 10; d++) {
      assertTrue(deciles[d] >= 50, "decile " + d + " has only " + deciles[d] + " kills: " + Arrays.toString(deciles));
    }
    long flush = s.triggers().stream().filter(t -> t.kind() == CrashSchedule.Kind.INPUT_END).count();
    assertTrue(flush > 80 && flush < 200, "end-of-input kills: " + flush);
    // one schedule in two opens before the first checkpoint
    int early = 0;
    for (long seed = 0; seed < 200; seed++) {
      CrashSchedule.Trigger first = CrashSchedule.fromSeed(seed, 5).triggers().get(0);
      early += first.atProgress() == 0 ? 1 : 0;
    }
    assertTrue(early > 70 && early < 130, "early openings: " + early);
  }

  @Test
  void anAttemptThatMustBeRefusedIsJudgedByItsError() throws Exception {
    Path bad = tmp.resolve("bad");
    Files.writeString(bad, "0\n7\n"); // the child refuses this file, naming the line
    Path data = tmp.resolve("data");
    RunPlan plan = (run, checkpointed) -> List.of(
        new RunPlan.Attempt(List.of(bad.toString(), "10", tmp.resolve("s1").toString()), "guarantee probe",
            RunPlan.Expect.MUST_REFUSE, List.of("expected line")),
        new RunPlan.Attempt(List.of(data.toString(), "300", tmp.resolve("s2").toString()), "rescale probe",
            RunPlan.Expect.MAY_REFUSE, List.of("never said")));
    CrashHarness.Result r = harness().run(new CrashSchedule(List.of()), plan);
    assertEquals(0, r.crashes());
    assertEquals(1, r.runs());
    assertEquals(2, r.events().size(), r.events()::toString);
    assertEquals("refused", r.events().get(0).outcome());
    assertTrue(r.events().get(0).held());
    assertTrue(r.events().get(0).detail().contains("expected line 1 but found 7"), r.events().get(0).detail());
    assertEquals("accepted", r.events().get(1).outcome());
    assertTrue(r.events().get(1).held());
  }

  @Test
  void anAttemptThatMustBeRefusedButRunsIsABrokenPromiseAndKilledAtItsFirstCheckpoint() throws Exception {
    Path data = tmp.resolve("data");
    RunPlan plan = (run, checkpointed) -> List.of(
        new RunPlan.Attempt(List.of(data.toString(), "300", tmp.resolve("s1").toString()), "guarantee probe",
            RunPlan.Expect.MUST_REFUSE, List.of("guarantee")),
        RunPlan.Attempt.run(List.of(data.toString(), "300", tmp.resolve("s2").toString())));
    CrashHarness.Result r = harness().run(new CrashSchedule(List.of()), plan);
    assertEquals(1, r.events().size(), r.events()::toString);
    assertEquals("accepted", r.events().get(0).outcome());
    assertFalse(r.events().get(0).held());
    assertEquals(List.of("START"), Files.readAllLines(tmp.resolve("s1")), "the probe was killed before its end");
    assertEquals(300, Files.readAllLines(data).size());
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
