package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.onceflow.core.metrics.CheckpointFailureReason;
import dev.onceflow.core.metrics.CheckpointStats;
import org.junit.jupiter.api.Test;

/** The STATS line a child prints carries every phase of the checkpoint to the verifier's report. */
class CheckpointRecordTest {
  private static final long MS = 1_000_000;

  @Test
  void aLineCarriesEveryPhase() {
    CheckpointStats s = new CheckpointStats(7, true, 1234L, 90 * MS, 60 * MS, 11 * MS, 12 * MS, 13 * MS, 14 * MS,
        20 * MS, 10 * MS, 4096, 0, null);
    CheckpointRecord r = CheckpointRecord.parse(3, CheckpointRecord.line(s));
    assertEquals(new CheckpointRecord(3, 7, true, 1234L, 90_000, 60_000, 11_000, 12_000, 13_000, 14_000, 20_000,
        10_000, 4096, null), r);
  }

  @Test
  void aFailedCheckpointKeepsItsReasonAndACutLineIsIgnored() {
    CheckpointStats s = new CheckpointStats(8, false, 1L, 5 * MS, 0, 0, 0, 0, 0, 0, 0, 0, 1,
        CheckpointFailureReason.values()[0]);
    String line = CheckpointRecord.line(s);
    assertEquals(CheckpointFailureReason.values()[0].tag(), CheckpointRecord.parse(0, line).failure());
    assertNull(CheckpointRecord.parse(0, line.substring(0, line.indexOf(" align="))), "killed mid-line");
    assertNull(CheckpointRecord.parse(0, "something else"));
  }
}
