package dev.onceflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The independent checker: recomputes each job's expected output from {@link JobInputs} alone (never from the engine)
 * and compares it with the committed output.
 *
 * <p>Definitions, per job:
 *
 * <ul>
 *   <li><b>ledger</b> (rows {@code {"id","account","seq","balance"}}): lost = ids 0..N-1 with no row; duplicated = rows
 *       beyond the first per id, plus rows whose id is not an input id or that cannot be parsed. The input is split over
 *       P partitions read in parallel, so the order in which one account's transfers are processed is not fixed.
 *       {@code exact} therefore holds for <em>any valid processing order</em>: every id exactly once with its input
 *       account; per account the seqs are exactly 1..n; the balance at seq k equals the sum of the amounts of that
 *       account's rows with seq &le; k; and a valid order keeps each input partition's order, so within one account the
 *       transfers of one partition have increasing seqs in id order.
 *   <li><b>tag-count</b> (rows {@code {"tag","window_start","count"}}, 1-hour tumbling windows from epoch 0): for each
 *       expected (tag, window) the row with the largest count is its result; lost += undercount of that result;
 *       duplicated += its overcount + the counts of every other row of the same window (repeated windows) + the counts
 *       of rows for windows that should not exist.
 *   <li><b>payments</b> (rows {@code {"payment_id","amount"}}): exactly one row per payment id 0..N-1 with its amount;
 *       input retries are not effects. lost and duplicated as for the ledger.
 *   <li><b>clicks</b>: the output is read as a table (last value per key, in offset order); lost = clicks whose key is
 *       not in the table, duplicated = table keys that are not clicks; exact also needs every value to be the click's.
 *   <li><b>orders</b> (two outputs): see {@link OrdersChecker}.
 *   <li><b>payments-limits</b>: see {@link PaymentLimitsChecker}.
 * </ul>
 */
public final class Checker {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_PROBLEMS = 10;
  /**
   * The tag-count window size: one hour, over an input spanning days (10 s of event time per event), so that windows
   * close during the run and a kill shows what each guarantee does to them (with the 1-day windows of before, every
   * window closed at end of input and at-most-once and at-least-once had nothing to lose or repeat).
   */
  public static final java.time.Duration TAG_WINDOW = java.time.Duration.ofHours(1);
  /** {@link #TAG_WINDOW} in milliseconds. */
  public static final long TAG_WINDOW_MILLIS = TAG_WINDOW.toMillis();

  private final List<String> problems = new ArrayList<>();
  private int problemCount;

  private Checker() {}

  /**
   * Checks the committed output of {@code job} run on {@code events} input events written to {@code partitions}
   * partitions (position i to partition i mod partitions).
   *
   * @param output committed output records, per output partition in offset order
   */
  public static CheckResult check(Job job, long events, int partitions, List<OutputRecord> output) {
    return check(job, events, partitions, InputLayout.ROUND_ROBIN, output);
  }

  /**
   * Checks the committed output of {@code job} run on {@code events} input events written to {@code partitions}
   * partitions with {@code layout}.
   *
   * @param output committed output records, per output partition in offset order
   */
  public static CheckResult check(Job job, long events, int partitions, InputLayout layout,
      List<OutputRecord> output) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    if (job.outputs().size() > 1) {
      throw new IllegalArgumentException("the job " + job.cliName() + " has the outputs " + job.outputs()
          + ": check them with check(job, events, partitions, layout, outputsByName)");
    }
    return check(job, events, partitions, layout, Map.of(Job.OUTPUT, output));
  }

  /**
   * Checks the committed outputs of {@code job}, by output name ({@link Job#outputs()}); each list per output
   * partition in offset order.
   *
   * @throws IllegalArgumentException if an output of the job is missing from {@code outputs}
   */
  public static CheckResult check(Job job, long events, int partitions, InputLayout layout,
      Map<String, List<OutputRecord>> outputs) {
    if (partitions < 1) {
      throw new IllegalArgumentException("partitions must be >= 1, was " + partitions);
    }
    for (String name : job.outputs()) {
      if (!outputs.containsKey(name)) {
        throw new IllegalArgumentException("the output '" + name + "' of " + job.cliName() + " is missing (given: "
            + outputs.keySet() + ")");
      }
    }
    Checker c = new Checker();
    return switch (job) {
      case LEDGER -> c.ledger(events, partitions, layout, outputs.get(Job.OUTPUT));
      case TAG_COUNT -> c.tagCount(events, outputs.get(Job.OUTPUT));
      case PAYMENTS -> c.payments(events, outputs.get(Job.OUTPUT));
      case CLICKS -> c.clicks(events, outputs.get(Job.OUTPUT));
      case ORDERS -> new OrdersChecker(c).check(events, outputs.get(OrdersJob.INVENTORY),
          outputs.get(OrdersJob.EVENTS));
      case PAYMENTS_LIMITS -> new PaymentLimitsChecker(c).check(events, outputs.get(Job.OUTPUT));
    };
  }

  void problem(String text) {
    problemCount++;
    if (problems.size() < MAX_PROBLEMS) {
      problems.add(text);
    }
  }

  CheckResult result(long expected, long records, long lost, long duplicated, boolean exactSoFar) {
    return result(expected, records, lost, duplicated, exactSoFar, 0, 0);
  }

  CheckResult result(long expected, long records, long lost, long duplicated, boolean exactSoFar,
      long stateDuplicated, long stateLost) {
    boolean exact = exactSoFar && lost == 0 && duplicated == 0 && stateDuplicated == 0 && stateLost == 0
        && problemCount == 0;
    if (problemCount > problems.size()) {
      problems.add("... and " + (problemCount - problems.size()) + " more problems");
    }
    return new CheckResult(expected, records, lost, duplicated, exact, problems, stateDuplicated, stateLost);
  }

  JsonNode parse(String value) {
    try {
      JsonNode n = JSON.readTree(value);
      return n != null && n.isObject() ? n : null;
    } catch (IOException e) {
      return null;
    }
  }

  static boolean hasLongs(JsonNode n, String... fields) {
    for (String f : fields) {
      JsonNode v = n.get(f);
      if (v == null || !v.canConvertToLong() || !v.isIntegralNumber()) {
        return false;
      }
    }
    return true;
  }

  private record LedgerRow(long id, long account, long seq, long balance) {}

  private CheckResult ledger(long n, int partitions, InputLayout layout, List<OutputRecord> output) {
    Map<Long, List<LedgerRow>> byId = new HashMap<>();
    long duplicated = 0;
    for (OutputRecord r : output) {
      JsonNode j = parse(r.value());
      if (j == null || !hasLongs(j, "id", "account", "seq", "balance")) {
        duplicated++;
        problem("unparseable ledger row: " + r.value());
        continue;
      }
      long id = j.get("id").asLong();
      if (id < 0 || id >= n) {
        duplicated++;
        problem("ledger row for id " + id + ", which is not an input id");
        continue;
      }
      byId.computeIfAbsent(id, k -> new ArrayList<>(1))
          .add(new LedgerRow(id, j.get("account").asLong(), j.get("seq").asLong(), j.get("balance").asLong()));
    }
    long lost = 0;
    boolean exact = true;
    Map<Long, List<LedgerRow>> byAccount = new HashMap<>();
    for (long id = 0; id < n; id++) {
      List<LedgerRow> rows = byId.get(id);
      if (rows == null) {
        lost++;
        problem("ledger id " + id + " has no output (lost)");
        continue;
      }
      if (rows.size() > 1) {
        duplicated += rows.size() - 1;
        problem("ledger id " + id + " has " + rows.size() + " outputs (duplicated)");
      }
      LedgerRow row = rows.get(0);
      if (row.account() != JobInputs.ledgerAccount(id)) {
        exact = false;
        problem("ledger id " + id + " has account " + row.account() + ", expected " + JobInputs.ledgerAccount(id));
      }
      byAccount.computeIfAbsent(row.account(), k -> new ArrayList<>()).add(row);
    }
    long[] state = ledgerStateBounds(n, partitions, layout, byId);
    if (lost == 0 && duplicated == 0 && exact) {
      exact = ledgerAccountsConsistent(byAccount, partitions, layout);
    }
    return result(n, output.size(), lost, duplicated, exact, state[0], state[1]);
  }

  /**
   * The ledger's state effects, checked whatever was lost or duplicated in the output, so a transfer applied twice
   * (or not at all) to the state is seen even when its own row was output exactly once. Every row is one application
   * of a transfer to its account's state, in some lineage of that state (a restore starts a new one), and its seq
   * counts the applications in that lineage. A valid processing keeps each input partition's order, so for a row of
   * transfer x of account a, from partition p:
   *
   * <ul>
   *   <li>if no effect is ever applied twice (at-most-once and exactly-once), the lineage holds at most the n_a
   *       transfers of a minus those of p after x: seq &le; n_a - succ(x). More is an effect applied twice.
   *   <li>if no effect is ever missing (at-least-once and exactly-once), the lineage holds every transfer of a from p
   *       before x: seq &ge; 1 + pred(x); and the final lineage applied all n_a transfers and output its rows, so,
   *       when every transfer of a has a row, the largest seq of a is &ge; n_a. Less is an effect missing.
   * </ul>
   *
   * @return {state effects applied twice, state effects missing}
   */
  private long[] ledgerStateBounds(long n, int partitions, InputLayout layout, Map<Long, List<LedgerRow>> byId) {
    int size = (int) Math.min(n, Integer.MAX_VALUE - 8);
    int[] pred = new int[size];
    Map<Long, int[]> perAccountPartition = new HashMap<>();
    Map<Long, Long> perAccount = new HashMap<>();
    for (int id = 0; id < size; id++) {
      long a = JobInputs.ledgerAccount(id);
      int p = layout.partitionOf(id, partitions);
      int[] counts = perAccountPartition.computeIfAbsent(a, k -> new int[partitions]);
      pred[id] = counts[p]++;
      perAccount.merge(a, 1L, Long::sum);
    }
    long twice = 0;
    long missing = 0;
    Map<Long, Long> maxSeq = new HashMap<>();
    for (var e : byId.entrySet()) {
      long id = e.getKey();
      long a = JobInputs.ledgerAccount(id);
      long na = perAccount.get(a);
      int p = layout.partitionOf(id, partitions);
      long succ = perAccountPartition.get(a)[p] - pred[(int) id] - 1;
      for (LedgerRow row : e.getValue()) {
        if (row.account() != a) {
          continue; // a wrong account is reported above
        }
        maxSeq.merge(a, row.seq(), Math::max);
        if (row.seq() > na - succ) {
          twice++;
          problem("account " + a + ": id " + id + " has seq " + row.seq() + ", but at most " + (na - succ)
              + " transfers of the account can have been applied by then (a state effect applied twice)");
        }
        if (row.seq() < 1 + pred[(int) id]) {
          missing++;
          problem("account " + a + ": id " + id + " has seq " + row.seq() + ", but the " + pred[(int) id]
              + " earlier transfers of the account in input partition " + p + " had to be applied before it (a"
              + " state effect missing)");
        }
      }
    }
    Map<Long, Long> rowsPerAccount = new HashMap<>();
    for (long id : byId.keySet()) {
      rowsPerAccount.merge((long) JobInputs.ledgerAccount(id), 1L, Long::sum);
    }
    for (var e : maxSeq.entrySet()) {
      long na = perAccount.get(e.getKey());
      // only where every transfer of the account has a row: else its final row may be the one lost (counted as lost)
      if (e.getValue() < na && rowsPerAccount.get(e.getKey()) == na) {
        missing += na - e.getValue();
        problem("account " + e.getKey() + ": the largest seq is " + e.getValue() + ", but all " + na
            + " transfers had to be applied (" + (na - e.getValue()) + " state effects missing)");
      }
    }
    return new long[] {twice, missing};
  }

  private boolean ledgerAccountsConsistent(Map<Long, List<LedgerRow>> byAccount, int partitions,
      InputLayout layout) {
    boolean ok = true;
    for (var e : byAccount.entrySet()) {
      List<LedgerRow> rows = e.getValue();
      rows.sort((a, b) -> Long.compare(a.seq(), b.seq()));
      long balance = 0;
      long[] lastIdPerPartition = new long[partitions];
      java.util.Arrays.fill(lastIdPerPartition, -1);
      for (int k = 0; k < rows.size(); k++) {
        LedgerRow row = rows.get(k);
        if (row.seq() != k + 1) {
          problem("account " + e.getKey() + ": seq " + row.seq() + " at position " + (k + 1)
              + " (gap or repeat in 1.." + rows.size() + ")");
          ok = false;
          break;
        }
        balance += JobInputs.ledgerAmount(row.id());
        if (row.balance() != balance) {
          problem("account " + e.getKey() + " seq " + row.seq() + " (id " + row.id() + "): balance "
              + row.balance() + ", expected " + balance);
          ok = false;
          break;
        }
        int p = layout.partitionOf(row.id(), partitions);
        if (row.id() < lastIdPerPartition[p]) {
          problem("account " + e.getKey() + ": id " + row.id() + " processed after id " + lastIdPerPartition[p]
              + " of the same input partition " + p);
          ok = false;
          break;
        }
        lastIdPerPartition[p] = row.id();
      }
    }
    return ok;
  }

  private CheckResult tagCount(long n, List<OutputRecord> output) {
    Map<String, Long> expected = new LinkedHashMap<>();
    for (long i = 0; i < n; i++) {
      long start = Math.floorDiv(JobInputs.tagTimestamp(i), TAG_WINDOW_MILLIS) * TAG_WINDOW_MILLIS;
      expected.merge(JobInputs.tag(i) + "@" + start, 1L, Long::sum);
    }
    Map<String, List<Long>> rows = new HashMap<>();
    long duplicated = 0;
    for (OutputRecord r : output) {
      JsonNode j = parse(r.value());
      if (j == null || !j.hasNonNull("tag") || !hasLongs(j, "window_start", "count")) {
        duplicated++;
        problem("unparseable tag-count row: " + r.value());
        continue;
      }
      String window = j.get("tag").asText() + "@" + j.get("window_start").asLong();
      long count = j.get("count").asLong();
      if (!expected.containsKey(window)) {
        duplicated += Math.max(1, count);
        problem("window " + window + " should not exist (count " + count + ")");
        continue;
      }
      rows.computeIfAbsent(window, k -> new ArrayList<>(1)).add(count);
    }
    long lost = 0;
    for (var e : expected.entrySet()) {
      List<Long> counts = rows.get(e.getKey());
      long want = e.getValue();
      if (counts == null) {
        lost += want;
        problem("window " + e.getKey() + " has no output (" + want + " events lost)");
        continue;
      }
      long best = counts.stream().mapToLong(Long::longValue).max().orElseThrow();
      long sum = counts.stream().mapToLong(Long::longValue).sum();
      if (best < want) {
        lost += want - best;
        problem("window " + e.getKey() + " counted " + best + ", expected " + want + " (undercount)");
      } else if (best > want) {
        duplicated += best - want;
        problem("window " + e.getKey() + " counted " + best + ", expected " + want + " (overcount)");
      }
      if (counts.size() > 1) {
        duplicated += sum - best;
        problem("window " + e.getKey() + " emitted " + counts.size() + " times " + counts + " (repeated window)");
      }
    }
    return result(n, output.size(), lost, duplicated, true);
  }

  private CheckResult payments(long n, List<OutputRecord> output) {
    Map<Long, Integer> seen = new HashMap<>();
    long duplicated = 0;
    boolean exact = true;
    for (OutputRecord r : output) {
      JsonNode j = parse(r.value());
      if (j == null || !hasLongs(j, "payment_id", "amount")) {
        duplicated++;
        problem("unparseable payments row: " + r.value());
        continue;
      }
      long id = j.get("payment_id").asLong();
      if (id < 0 || id >= n) {
        duplicated++;
        problem("payment " + id + " is not an input payment");
        continue;
      }
      int times = seen.merge(id, 1, Integer::sum);
      if (times > 1) {
        duplicated++;
        problem("payment " + id + " output " + times + " times (duplicated)");
      }
      long amount = j.get("amount").asLong();
      if (amount != JobInputs.paymentAmount(id)) {
        exact = false;
        problem("payment " + id + " has amount " + amount + ", expected " + JobInputs.paymentAmount(id));
      }
    }
    long lost = 0;
    for (long id = 0; id < n; id++) {
      if (!seen.containsKey(id)) {
        lost++;
        problem("payment " + id + " has no output (lost)");
      }
    }
    return result(n, output.size(), lost, duplicated, exact);
  }

  private CheckResult clicks(long n, List<OutputRecord> output) {
    Map<String, String> table = new HashMap<>();
    for (OutputRecord r : output) {
      if (r.key() == null) {
        problem("clicks record without a key (not an upsert): " + r.value());
        continue;
      }
      table.put(r.key(), r.value());
    }
    long lost = 0;
    boolean exact = true;
    for (long i = 0; i < n; i++) {
      String key = JobInputs.clickKey(JobInputs.clickSession(i), JobInputs.clickTimestamp(i));
      String value = table.remove(key);
      if (value == null) {
        lost++;
        problem("click " + key + " is not in the table (lost)");
        continue;
      }
      JsonNode j = parse(value);
      if (j == null || !JobInputs.clickSession(i).equals(text(j, "session"))
          || !j.path("ts").isIntegralNumber() || j.get("ts").asLong() != JobInputs.clickTimestamp(i)
          || !JobInputs.clickPage(i).equals(text(j, "page"))) {
        exact = false;
        problem("click " + key + " has value " + value + ", which is not the click's");
      }
    }
    long duplicated = table.size();
    for (String extra : table.keySet()) {
      problem("table key " + extra + " is not a click (phantom effect)");
    }
    return result(n, output.size(), lost, duplicated, exact);
  }

  static String text(JsonNode j, String field) {
    JsonNode v = j.get(field);
    return v == null || !v.isTextual() ? null : v.asText();
  }
}
