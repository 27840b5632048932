package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The demo's table (the demo itself runs six real verifications; it is exercised by hand: ./onceflow demo). */
class DemoCommandTest {
  private static VerifyResult result(Guarantee g, long lost, long dup, boolean held) {
    return new VerifyResult(VerifyOptions.of(Job.LEDGER, g, 20_000, 4, 1), 20_000, 4, 4, 0,
        new CheckResult(20_000, 20_000, lost, dup, lost == 0 && dup == 0, List.of()), held, 10.0, Path.of("/tmp/w"),
        false, "ledger-output", 0, List.of(), List.of(), List.of());
  }

  @Test
  void tableHasOneRowPerRunWithEveryColumn() {
    String t = DemoCommand.table(List.of(result(Guarantee.AT_MOST_ONCE, 512, 0, true),
        result(Guarantee.EXACTLY_ONCE, 0, 3, false)));
    List<String> lines = t.lines().toList();
    assertEquals(3, lines.size(), t);
    for (String col : List.of("job", "guarantee", "events", "crashes", "lost", "duplicated", "exact",
        "promise held", "events/s")) {
      assertTrue(lines.get(0).contains(col), col);
    }
    assertTrue(lines.get(1).matches("ledger\\s+at-most-once\\s+20000\\s+4\\s+512\\s+0\\s+no\\s+yes\\s+2000"), t);
    assertTrue(lines.get(2).contains(" NO "), t);
  }
}
