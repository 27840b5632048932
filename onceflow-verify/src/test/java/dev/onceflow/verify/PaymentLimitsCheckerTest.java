package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The payments-limits checker alone. */
class PaymentLimitsCheckerTest {
  static final long N = 4_000;

  /** Correct decisions; {@code lateBy} > 0 decides with the limit of that many updates later (a wrong limit). */
  static List<OutputRecord> decisions(long n) {
    long[] limit = new long[JobInputs.LIMIT_ACCOUNTS];
    java.util.Arrays.fill(limit, JobInputs.DEFAULT_LIMIT);
    List<OutputRecord> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      int a = JobInputs.limitsAccount(i);
      if (JobInputs.isLimitUpdate(i)) {
        limit[a] = JobInputs.limitValue(i);
        continue;
      }
      long amount = JobInputs.limitsPaymentAmount(i);
      out.add(OutputRecord.of("{\"payment_id\":" + i + ",\"account\":" + a + ",\"amount\":" + amount + ",\"limit\":"
          + limit[a] + ",\"approved\":" + (amount <= limit[a]) + "}"));
    }
    return out;
  }

  static CheckResult check(List<OutputRecord> out) {
    return Checker.check(Job.PAYMENTS_LIMITS, N, 4, out);
  }

  @Test
  void correctDecisionsAreExactAndBothOutcomesOccur() {
    List<OutputRecord> out = decisions(N);
    CheckResult r = check(out);
    assertTrue(r.exact(), r::toString);
    assertEquals(N - N / 4, r.effectsExpected());
    long approved = out.stream().filter(o -> o.value().contains("true")).count();
    assertTrue(approved > N / 10 && approved < out.size() - N / 10, approved + " approved of " + out.size());
  }

  @Test
  void aDecisionWithTheWrongLimitIsInexact() {
    List<OutputRecord> out = new ArrayList<>(decisions(N));
    String v = out.get(100).value();
    out.set(100, OutputRecord.of(v.replaceAll("\"limit\":\\d+", "\"limit\":" + JobInputs.DEFAULT_LIMIT + "1")));
    CheckResult r = check(out);
    assertFalse(r.exact(), r::toString);
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
    assertEquals(0, r.lost());
    assertEquals(0, r.duplicated());
  }

  @Test
  void lostRepeatedAndPhantomDecisionsAreCounted() {
    List<OutputRecord> out = new ArrayList<>(decisions(N));
    out.subList(0, 5).clear();
    out.add(out.get(10));
    out.add(OutputRecord.of("{\"payment_id\":0,\"account\":0,\"amount\":1,\"limit\":1,\"approved\":true}")); // 0 = limit
    CheckResult r = check(out);
    assertEquals(5, r.lost(), r::toString);
    assertEquals(2, r.duplicated(), r::toString);
  }
}
