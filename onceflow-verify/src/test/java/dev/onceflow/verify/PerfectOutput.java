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

  /** How {@link #ledgerWithRestores} recovers after a simulated crash. */
  enum Recovery {
    /** At-least-once: state and positions back to the last checkpoint, the records after it processed again. */
    REPLAY,
    /**
     * A lossy at-most-once: state back to the last checkpoint, positions kept (the records between are never applied
     * to the state), and some rows never committed.
     */
    SKIP
  }

  /**
   * The ledger output of a processing with checkpoints and crashes, each recovered per {@code recovery}: what a weaker
   * guarantee may legitimately commit. The checker's state bounds must accept it for that guarantee.
   */
  static List<OutputRecord> ledgerWithRestores(long n, int partitions, Random random, Recovery recovery) {
    long[] next = new long[partitions];
    for (int p = 0; p < partitions; p++) {
      next[p] = p;
    }
    Map<Integer, long[]> state = new HashMap<>();
    long[] savedNext = next.clone();
    Map<Integer, long[]> saved = new HashMap<>();
    List<OutputRecord> out = new ArrayList<>();
    while (true) {
      boolean done = true;
      for (int p = 0; p < partitions; p++) {
        done &= next[p] >= n;
      }
      if (done) {
        return out;
      }
      int roll = random.nextInt(100);
      if (roll < 3) { // checkpoint
        savedNext = next.clone();
        saved = copy(state);
        continue;
      }
      if (roll < 5) { // crash
        state = copy(saved);
        if (recovery == Recovery.REPLAY) {
          next = savedNext.clone();
        }
        continue;
      }
      int p = random.nextInt(partitions);
      if (next[p] >= n) {
        continue;
      }
      long id = next[p];
      next[p] += partitions;
      int account = JobInputs.ledgerAccount(id);
      long[] st = state.computeIfAbsent(account, a -> new long[2]);
      st[0]++;
      st[1] += JobInputs.ledgerAmount(id);
      if (recovery == Recovery.REPLAY || random.nextInt(10) > 0) {
        out.add(ledgerRow(id, account, st[0], st[1]));
      }
    }
  }

  private static Map<Integer, long[]> copy(Map<Integer, long[]> state) {
    Map<Integer, long[]> c = new HashMap<>();
    state.forEach((k, v) -> c.put(k, v.clone()));
    return c;
  }

  static OutputRecord ledgerRow(long id, long account, long seq, long balance) {
    return OutputRecord.of("{\"id\":" + id + ",\"account\":" + account + ",\"seq\":" + seq + ",\"balance\":" + balance
        + "}");
  }

  static List<OutputRecord> tagCount(long n) {
    Map<String, Long> counts = new java.util.TreeMap<>();
    for (long i = 0; i < n; i++) {
      long start = Math.floorDiv(JobInputs.tagTimestamp(i), Checker.TAG_WINDOW_MILLIS) * Checker.TAG_WINDOW_MILLIS;
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
