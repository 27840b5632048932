package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tag-count's hourly windows close while the job runs, so kills mid-run show each weaker guarantee's difference on it
 * (what the demo shows): at-most-once loses counts, at-least-once repeats counts, both keep their promise. With the
 * 1-day windows of before, every window closed at end of input and both printed 0 / 0 (this test then fails).
 */
class TagCountGuaranteesTest {
  @TempDir Path tmp;

  // kills well into each run, after windows fired past the last checkpoint (the same aim as BrokenPipelineTest)
  private static final CrashSchedule MID_RUN = new CrashSchedule(List.of(
      new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 10, 7_000),
      new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 8, 3_000),
      new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 12, 11_000)));

  private VerifyResult run(Guarantee g) throws InterruptedException {
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.TAG_COUNT, g, 20_000, 3, 7)
        .withWorkDir(tmp.resolve(g.name())), MID_RUN, line -> {});
    System.out.println("verify tag-count " + r.toJson());
    assertEquals(3, r.crashes(), r.kills()::toString);
    assertTrue(r.promiseHeld(), () -> r.toJson() + " " + r.check().problems());
    return r;
  }

  @Test
  void atMostOnceLosesWindowCountsCutOffByAKill() throws Exception {
    VerifyResult r = run(Guarantee.AT_MOST_ONCE);
    assertTrue(r.check().lost() > 0, r::toJson);
    assertEquals(0, r.check().duplicated(), r::toJson);
  }

  @Test
  void atLeastOnceRepeatsTheWindowsFiredAfterTheRestoredCheckpoint() throws Exception {
    VerifyResult r = run(Guarantee.AT_LEAST_ONCE);
    assertTrue(r.check().duplicated() > 0, r::toJson);
    assertEquals(0, r.check().lost(), r::toJson);
  }
}
