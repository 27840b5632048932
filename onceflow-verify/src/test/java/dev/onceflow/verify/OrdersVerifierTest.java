package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orders job's two sinks in one atomic checkpoint, on the embedded log (exactly-once under kills is in
 * {@link VerifierEndToEndTest}'s matrix): a torn checkpoint must be caught.
 */
class OrdersVerifierTest {
  @TempDir Path tmp;

  /** Kills right after a sink subtask prepared: the torn inventory has committed, the events not. */
  static CrashSchedule killsAfterPrepares() {
    return new CrashSchedule(List.of(
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 0.2, 3, 300, CrashSchedule.Action.KILL),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 0.45, 3, 300, CrashSchedule.Action.KILL),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 0.7, 3, 300, CrashSchedule.Action.KILL)));
  }

  @Test
  void aTornCheckpointIsCaughtOnTheLog() throws Exception {
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.ORDERS, Guarantee.EXACTLY_ONCE, 15_000, 3, 5)
        .withChildMainClass(TornCheckpointChild.class.getName()).withWorkDir(tmp.resolve("work")),
        killsAfterPrepares(), line -> {});
    System.out.println("verify orders torn checkpoint (log): " + r.toJson() + " " + r.check().problems());
    assertTrue(r.crashes() >= 2, r.kills()::toString);
    assertTrue(r.check().duplicated() > 0, r::toJson);
    assertEquals(0, r.check().lost(), r::toJson);
    assertFalse(r.promiseHeld(), r::toJson);
  }

  @Test
  void exactlyOnceWithInjectedFaultsToo() throws Exception {
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.ORDERS, Guarantee.EXACTLY_ONCE, 15_000, 3, 41)
        .withFaults(true).withWorkDir(tmp.resolve("work")));
    System.out.println("verify orders faults: " + r.toJson());
    assertTrue(r.jobRestarts() > 0, "no injected fault fired: " + r.toJson());
    assertTrue(r.promiseHeld(), () -> r.toJson() + " " + r.check().problems());
    assertTrue(r.check().exact());
  }
}
