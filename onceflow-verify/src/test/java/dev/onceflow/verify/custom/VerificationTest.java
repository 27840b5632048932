package dev.onceflow.verify.custom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.shop.LyingSinkJob;
import com.example.shop.RunningTotalsJob;
import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.CrashSchedule;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.NemesisPlan;
import dev.onceflow.verify.Nemeses;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * "Verify your own pipeline" with the user-style jobs of {@code com.example.shop} (test source set, public API only):
 * the correct one keeps its guarantees under SIGKILL, the one with a lying sink is reported.
 */
class VerificationTest {

  @VerifyGuarantee(value = Guarantee.EXACTLY_ONCE, crashes = 5, seed = 3, job = RunningTotalsJob.class)
  void aCorrectJobKeepsExactlyOnceUnderKills(VerificationReport report) {
    System.out.println(report.toText());
    assertTrue(report.crashes() >= 2, report::toText);
    assertTrue(report.exact(), report::toText);
    assertEquals(10_000, report.check().effectsExpected());
    assertEquals(0, report.lingering());
  }

  @VerifyGuarantee(value = Guarantee.AT_LEAST_ONCE, crashes = 4, seed = 4, job = RunningTotalsJob.class)
  void theSameJobUnderAtLeastOnceLosesNothing(VerificationReport report) {
    System.out.println(report.toText());
    assertEquals(0, report.lost(), report::toText);
  }

  @Test
  void aBrokenSinkIsReported() throws Exception {
    // kills well into each run, when the sink has written lines after the last checkpoint
    CrashSchedule midRun = new CrashSchedule(List.of(
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 10, 7_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 8, 3_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 12, 11_000)));
    VerificationReport r = Verification.of(LyingSinkJob.class).guarantee(Guarantee.EXACTLY_ONCE).schedule(midRun)
        .events(20_000).run();
    System.out.println(r.toText());
    assertEquals(3, r.crashes(), r::toText);
    assertTrue(r.duplicated() > 0, r::toText);
    assertFalse(r.promiseHeld(), r::toText);
    assertTrue(r.toJson().contains("\"promise_held\":false"), r::toJson);
    assertTrue(r.workDirKept(), "a broken promise keeps the work directory");
    try (var files = Files.walk(r.workDir())) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  @VerifyGuarantee(value = Guarantee.EXACTLY_ONCE, crashes = 6, seed = 5, events = 20_000, job = LyingSinkJob.class,
      expectBroken = true)
  void theAnnotationCatchesTheBrokenSinkToo(VerificationReport report) {
    assertTrue(report.duplicated() > 0, report::toText);
  }

  /** The nemeses of the built-in jobs that a user's pipeline takes: another parallelism per restart, and freezes. */
  @Test
  void aCorrectJobKeepsExactlyOnceWhenRescaledAndFrozen() throws Exception {
    VerificationReport r = Verification.of(RunningTotalsJob.class).guarantee(Guarantee.EXACTLY_ONCE).crashes(4)
        .seed(6).events(10_000).rescale(true).freezes(1).run();
    System.out.println(r.toText());
    assertTrue(r.promiseHeld(), r::toText);
    assertTrue(r.exact(), r::toText);
    assertTrue(r.nemesisEvents().stream().anyMatch(e -> e.nemesis().equals("rescale")), r::toText);
    assertTrue(r.nemesisEvents().stream().anyMatch(e -> e.nemesis().equals("freeze")), r::toText);
    assertTrue(r.nemesisEvents().stream().allMatch(NemesisEvent::held), r::toText);
    assertTrue(r.toJson().contains("\"nemesis_events\":[{"), r::toJson);
  }

  @Test
  void nemesesThatNeedTheBuiltInJobsAreRefused() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NemesisPlan.forPipeline(
        Nemeses.NONE.withRetention(true), Guarantee.EXACTLY_ONCE, 1, 4, 2, (run, g, p) -> List.of(), Path.of("x"),
        "input", 1));
    assertTrue(e.getMessage().contains("rescale and freezes"), e.getMessage());
  }

  @Test
  void aClassThatIsNotThereIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Verification.of("com.example.Missing").run());
    assertTrue(e.getMessage().contains("pipeline class com.example.Missing not found"), e.getMessage());
  }
}
