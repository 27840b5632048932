package dev.onceflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Checker}'s part for the {@code payments-limits} job ({@link PaymentLimitsJob}). Expected: for payment i of
 * account a, the limit in force is that of the last limit update of a before it in the input (event time increases
 * with the position), or {@link JobInputs#DEFAULT_LIMIT}; approved iff amount &le; limit. One row per payment:
 * lost = payments without a row, duplicated = rows beyond the first per payment, rows of ids that are no payment,
 * unparseable rows; a row with another account, amount, limit or decision makes the output inexact (a decision taken
 * before the limit in force arrived, or with a limit from after the payment).
 */
final class PaymentLimitsChecker {
  private final Checker c;

  PaymentLimitsChecker(Checker c) {
    this.c = c;
  }

  CheckResult check(long n, List<OutputRecord> output) {
    long[] limit = new long[JobInputs.LIMIT_ACCOUNTS];
    java.util.Arrays.fill(limit, JobInputs.DEFAULT_LIMIT);
    Map<Long, Long> expectedLimit = new HashMap<>();
    for (long i = 0; i < n; i++) {
      int a = JobInputs.limitsAccount(i);
      if (JobInputs.isLimitUpdate(i)) {
        limit[a] = JobInputs.limitValue(i);
      } else {
        expectedLimit.put(i, limit[a]);
      }
    }
    Map<Long, Integer> seen = new HashMap<>();
    long duplicated = 0;
    boolean exact = true;
    for (OutputRecord r : output) {
      JsonNode j = c.parse(r.value());
      if (j == null || !Checker.hasLongs(j, "payment_id", "account", "amount", "limit")
          || !j.path("approved").isBoolean()) {
        duplicated++;
        c.problem("unparseable payments-limits row: " + r.value());
        continue;
      }
      long id = j.get("payment_id").asLong();
      Long want = expectedLimit.get(id);
      if (want == null) {
        duplicated++;
        c.problem("row for payment " + id + ", which is not an input payment");
        continue;
      }
      int times = seen.merge(id, 1, Integer::sum);
      if (times > 1) {
        duplicated++;
        c.problem("payment " + id + " decided " + times + " times (duplicated)");
      }
      long amount = JobInputs.limitsPaymentAmount(id);
      if (j.get("account").asLong() != JobInputs.limitsAccount(id) || j.get("amount").asLong() != amount
          || j.get("limit").asLong() != want || j.get("approved").asBoolean() != (amount <= want)) {
        exact = false;
        c.problem("payment " + id + ": " + r.value() + ", expected account " + JobInputs.limitsAccount(id)
            + ", amount " + amount + ", limit " + want + (amount <= want ? ", approved" : ", declined"));
      }
    }
    long lost = 0;
    for (long id : expectedLimit.keySet()) {
      if (!seen.containsKey(id)) {
        lost++;
        c.problem("payment " + id + " has no decision (lost)");
      }
    }
    return c.result(expectedLimit.size(), output.size(), lost, duplicated, exact);
  }
}
