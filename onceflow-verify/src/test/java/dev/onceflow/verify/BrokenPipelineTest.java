package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Mutation check: a pipeline that cannot keep EXACTLY_ONCE must be reported as promise_held = false. */
class BrokenPipelineTest {
  @Test
  void plainSinkPassedOffAsIdempotentUnderExactlyOnceIsCaught() throws Exception {
    // Kills well into each run, when the sink has written rows after the last checkpoint (early kills can land
    // while those rows are still batched in the pipeline, so a seeded schedule could miss the bug by chance).
    CrashSchedule schedule = new CrashSchedule(List.of(
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 10, 7_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 8, 3_000),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PROGRESS, 12, 11_000)));
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.LEDGER, Guarantee.EXACTLY_ONCE, 20_000, 3, 5)
        .withChildMainClass(LyingPlainSinkChild.class.getName()), schedule, line -> {});
    System.out.println("verify broken " + r.toJson());
    assertTrue(r.crashes() >= 3, r.kills()::toString);
    assertTrue(r.check().duplicated() > 0, r::toJson);
    assertFalse(r.check().exact());
    assertFalse(r.promiseHeld(), r::toJson);
    // a broken promise keeps the (temporary) work directory for inspection
    assertTrue(r.workDirKept());
    assertTrue(Files.isDirectory(r.workDir().resolve("log")));
    try (var files = Files.walk(r.workDir())) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
