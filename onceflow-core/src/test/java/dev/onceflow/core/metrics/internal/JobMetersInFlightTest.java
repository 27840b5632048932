package dev.onceflow.core.metrics.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.core.metrics.CheckpointFailureReason;
import dev.onceflow.core.metrics.CheckpointStats;
import org.junit.jupiter.api.Test;

/** Reports on a checkpoint that already ended must not be kept for the rest of the attempt. */
class JobMetersInFlightTest {
  @Test
  void aReportAfterItsCheckpointEndedIsDropped() {
    JobMeters meters = JobMeters.detached();
    meters.barrierInjected(1, 10);
    meters.checkpointFailed(1, false, 0, 5, CheckpointFailureReason.TIMEOUT);
    meters.snapshotWritten(1, 1_000); // a slow subtask's write of the checkpoint that failed
    meters.alignment(1, 1_000);
    assertEquals(0, meters.checkpointsInFlight());

    meters.snapshotWritten(2, 2_000);
    CheckpointStats s = meters.checkpointCompleted(2, false, 0, 0, 1, 2, 3, 10);
    assertEquals(2_000, s.snapshotWriteNanos());
    meters.snapshotTaken(2, 1_000);
    assertEquals(0, meters.checkpointsInFlight());
  }

  @Test
  void anEndedCheckpointTakesTheReportsOfOlderOnesWithIt() {
    JobMeters meters = JobMeters.detached();
    meters.snapshotWritten(3, 1);
    meters.snapshotWritten(4, 1);
    meters.checkpointCompleted(4, false, 0, 0, 1, 2, 3, 10);
    assertEquals(0, meters.checkpointsInFlight());
  }

  @Test
  void aNewAttemptMayReuseAnEndedId() {
    JobMeters meters = JobMeters.detached();
    meters.checkpointFailed(7, false, 0, 5, CheckpointFailureReason.TIMEOUT);
    meters.attemptStarted();
    meters.snapshotWritten(7, 3_000);
    assertEquals(1, meters.checkpointsInFlight());
    assertEquals(3_000, meters.checkpointCompleted(7, false, 0, 0, 1, 2, 3, 10).snapshotWriteNanos());
  }
}
