package dev.onceflow.verify;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Hand-built correct outputs for the checker tests: what a correct engine could commit. */
final class PerfectOutput {
  private PerfectOutput() {}

  /**
   * The ledger output of one valid processing order: the P input partitions are consumed in order, interleaved at
   * random (as parallel source subtasks would), and each account's state applied in that order.
   */
  static List<OutputRecord> ledger(long n, int partitions, Random random) {
    long[] next = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      next[p] = p;
    }
    Map<Integer, long[]> state = new HashMap<>(); // account -> {seq, balance}
    List<OutputRecord> out = new ArrayList<>();
    long remaining = n;
    while (remaining > 0) {
      int p = random.nextInt(partitions);
      if (next[p] >= n) {
        continue;
      }
      long id = next[p];
      next[p] += partitions;
      remaining--;
      int account = JobInputs.ledgerAccount(id);
      long[] s = state.computeIfAbsent(account, a -> new long[2]);
      s[0]++;
      s[1] += JobInputs.ledgerAmount(id);
      out.add(ledgerRow(id, account, s[0], s[1]));
    }
    return out;
  }

  static OutputRecord ledgerRow(long id, long account, long seq, long balance) {
    return OutputRecord.of("{\"id\":" + id + ",\"account\":" + account + ",\"seq\":" + seq + ",\"balance\":" + balance
        + "}");
  }

  static List<OutputRecord> tagCount(long n) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (long i = 0; i < n; i++) {
      long start = Math.floorDiv(JobInputs.tagTimestamp(i), Checker.DAY_MILLIS) * Checker.DAY_MILLIS;
      counts.merge(JobInputs.tag(i) + "@" + start, 1L, Long::sum);
    }
    List<OutputRecord> out = new ArrayList<>();
    counts.forEach((k, c) -> {
      String[] parts = k.split("@");
      out.add(tagRow(parts[0], Long.parseLong(parts[1]), c));
    });
    return out;
  }

  static OutputRecord tagRow(String tag, long start, long count) {
    return OutputRecord.of("{\"tag\":\"" + tag + "\",\"window_start\":" + start + ",\"count\":" + count + "}");
  }

  static List<OutputRecord> payments(long n) {
    List<OutputRecord> out = new ArrayList<>();
    for (long k = 0; k < n; k++) {
      out.add(paymentRow(k, JobInputs.paymentAmount(k)));
    }
    return out;
  }

  static OutputRecord paymentRow(long id, long amount) {
    return OutputRecord.of("{\"payment_id\":" + id + ",\"amount\":" + amount + "}");
  }

  static List<OutputRecord> clicks(long n) {
    List<OutputRecord> out = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      out.add(clickRow(i, JobInputs.clickPage(i)));
    }
    return out;
  }

  static OutputRecord clickRow(long i, String page) {
    String session = JobInputs.clickSession(i);
    long ts = JobInputs.clickTimestamp(i);
    return new OutputRecord(JobInputs.clickKey(session, ts),
        "{\"session\":\"" + session + "\",\"ts\":" + ts + ",\"page\":\"" + page + "\"}");
  }
}
