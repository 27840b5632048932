package dev.onceflow.examples.first;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.custom.VerificationReport;
import dev.onceflow.verify.custom.VerifyGuarantee;

/** The README's first pipeline, verified as the README says: exactly-once through SIGKILLs. */
class OrderTotalsTest {
  @VerifyGuarantee(value = Guarantee.EXACTLY_ONCE, crashes = 5, job = OrderTotalsJob.class)
  void keepsExactlyOnceThroughKills(VerificationReport report) {
    assertTrue(report.crashes() >= 2, report::toText);
  }
}
