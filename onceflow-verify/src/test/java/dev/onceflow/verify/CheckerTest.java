package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class CheckerTest {
  private static final int P = 4;

  private static void assertPerfect(CheckResult r, long expected) {
    assertEquals(expected, r.effectsExpected());
    assertEquals(0, r.lost(), r.problems()::toString);
    assertEquals(0, r.duplicated(), r.problems()::toString);
    assertTrue(r.exact(), r.problems()::toString);
    for (Guarantee g : Guarantee.values()) {
      assertTrue(r.promiseHeld(g));
    }
  }

  @Property(tries = 50)
  void perfectLedgerOutputInAnyValidProcessingOrderIsExact(
      @ForAll @LongRange(min = 0, max = 3000) long n, @ForAll @IntRange(min = 1, max = 8) int partitions,
      @ForAll long orderSeed) {
    List<OutputRecord> out = PerfectOutput.ledger(n, partitions, new Random(orderSeed));
    java.util.Collections.shuffle(out, new Random(orderSeed + 1)); // the output order across partitions is free
    assertPerfect(Checker.check(Job.LEDGER, n, partitions, out), n);
  }

  @Property(tries = 30)
  void droppingOrRepeatingLedgerRowsIsCountedExactly(
      @ForAll @IntRange(min = 0, max = 20) int drops, @ForAll @IntRange(min = 0, max = 20) int repeats,
      @ForAll long seed) {
    long n = 2000;
    Random random = new Random(seed);
    List<OutputRecord> out = new ArrayList<>(PerfectOutput.ledger(n, P, random));
    for (int i = 0; i < drops; i++) {
      out.remove(random.nextInt(out.size()));
    }
    for (int i = 0; i < repeats; i++) {
      out.add(out.get(random.nextInt(out.size())));
    }
    CheckResult r = Checker.check(Job.LEDGER, n, P, out);
    // a repeated row may be the copy of... never a dropped one, so the counts are exact
    assertEquals(drops, r.lost());
    assertEquals(repeats, r.duplicated());
    assertEquals(drops == 0 && repeats == 0, r.exact());
    assertEquals(drops == 0, r.promiseHeld(Guarantee.AT_LEAST_ONCE));
    assertEquals(repeats == 0, r.promiseHeld(Guarantee.AT_MOST_ONCE));
  }

  @Test
  void ledgerSeqGapIsNotExact() {
    // account 0 gets ids 0, 1000, 2000 (i*7919 mod 1000 == 0 for multiples of 1000)
    List<OutputRecord> out = replace(PerfectOutput.ledger(3000, 1, new Random(1)), 2000,
        PerfectOutput.ledgerRow(2000, 0, 4, JobInputs.ledgerAmount(0) + JobInputs.ledgerAmount(1000)
            + JobInputs.ledgerAmount(2000)));
    CheckResult r = Checker.check(Job.LEDGER, 3000, 1, out);
    assertEquals(0, r.lost());
    assertEquals(0, r.duplicated());
    assertFalse(r.exact());
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("gap or repeat")), r.problems()::toString);
    assertEquals(1, r.stateDuplicated(), "seq 4 of 3 transfers: one effect too many in the state");
  }

  @Test
  void ledgerRepeatedSeqIsNotExact() {
    List<OutputRecord> out = replace(PerfectOutput.ledger(3000, 1, new Random(1)), 2000,
        PerfectOutput.ledgerRow(2000, 0, 2, JobInputs.ledgerAmount(0) + JobInputs.ledgerAmount(1000)
            + JobInputs.ledgerAmount(2000)));
    assertFalse(Checker.check(Job.LEDGER, 3000, 1, out).exact());
  }

  @Test
  void ledgerWrongBalanceIsNotExact() {
    List<OutputRecord> out = replace(PerfectOutput.ledger(3000, 1, new Random(1)), 1000,
        PerfectOutput.ledgerRow(1000, 0, 2, 12345));
    CheckResult r = Checker.check(Job.LEDGER, 3000, 1, out);
    assertFalse(r.exact());
    assertTrue(r.problems().get(0).contains("balance 12345"), r.problems()::toString);
  }

  @Test
  void ledgerBalanceThatAppliedAReplayedTransferTwiceIsNotExact() {
    // a replay that double-applied transfer 0 to the state but whose duplicate row was not committed
    long twice = 2L * JobInputs.ledgerAmount(0) + JobInputs.ledgerAmount(1000);
    List<OutputRecord> out = replace(PerfectOutput.ledger(3000, 1, new Random(1)), 1000,
        PerfectOutput.ledgerRow(1000, 0, 2, twice));
    assertFalse(Checker.check(Job.LEDGER, 3000, 1, out).promiseHeld(Guarantee.EXACTLY_ONCE));
  }

  @Test
  void ledgerOrderAgainstItsInputPartitionIsNotExact() {
    // with 1 partition, account 0 must see 0, 1000, 2000 in that order; swap the seqs of 0 and 1000
    long a0 = JobInputs.ledgerAmount(0);
    long a1000 = JobInputs.ledgerAmount(1000);
    List<OutputRecord> out = replace(PerfectOutput.ledger(3000, 1, new Random(1)), 0,
        PerfectOutput.ledgerRow(0, 0, 2, a1000 + a0));
    out = replace(out, 1000, PerfectOutput.ledgerRow(1000, 0, 1, a1000));
    CheckResult r = Checker.check(Job.LEDGER, 3000, 1, out);
    assertFalse(r.exact());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("same input partition")), r.problems()::toString);
    // the same swap is valid when 0 and 1000 come from different partitions (P = 3: 0 -> p0, 1000 -> p1)
    out = replace(PerfectOutput.ledger(3000, 1, new Random(1)), 0, PerfectOutput.ledgerRow(0, 0, 2, a1000 + a0));
    out = replace(out, 1000, PerfectOutput.ledgerRow(1000, 0, 1, a1000));
    assertTrue(Checker.check(Job.LEDGER, 3000, 3, out).exact());
  }

  @Test
  void ledgerGarbageAndUnknownIdsAreExtraEffects() {
    List<OutputRecord> out = new ArrayList<>(PerfectOutput.ledger(100, P, new Random(3)));
    out.add(OutputRecord.of("not json"));
    out.add(PerfectOutput.ledgerRow(100, 100 * 7919 % 1000, 1, 0));
    CheckResult r = Checker.check(Job.LEDGER, 100, P, out);
    assertEquals(2, r.duplicated());
    assertEquals(0, r.lost());
    assertFalse(r.exact());
  }

  @Test
  void perfectTagCountIsExact() {
    assertPerfect(Checker.check(Job.TAG_COUNT, 400_000, P, PerfectOutput.tagCount(400_000)), 400_000);
  }

  @Test
  void tagCountWindowsAreHourlyOverAnInputSpanningDays() {
    // the demo's 20,000 events span 55.6 hours: 56 hourly windows, all but the last few close while the job runs
    List<OutputRecord> out = PerfectOutput.tagCount(20_000);
    long starts = out.stream().map(r -> r.value().replaceAll(".*\"window_start\":(\\d+).*", "$1")).distinct()
        .count();
    assertEquals(56, starts);
    // a tag-0 row counting the whole first day under the first window's start is an overcount of the first hour
    long hour = 0;
    long day = 0;
    for (long i = 0; i < 8_640; i++) {
      if (JobInputs.tag(i).equals("tag-0")) {
        day++;
        hour += JobInputs.tagTimestamp(i) < JobInputs.EPOCH + 3_600_000 ? 1 : 0;
      }
    }
    List<OutputRecord> dayWindow = new java.util.ArrayList<>(out);
    dayWindow.set(0, PerfectOutput.tagRow("tag-0", JobInputs.EPOCH, day));
    assertEquals(hour, count(out.get(0)));
    CheckResult r = Checker.check(Job.TAG_COUNT, 20_000, P, dayWindow);
    assertEquals(day - hour, r.duplicated());
    assertFalse(r.promiseHeld(Guarantee.AT_MOST_ONCE));
  }

  @Test
  void tagCountUndercountIsLost() {
    List<OutputRecord> out = PerfectOutput.tagCount(1000);
    out.set(0, PerfectOutput.tagRow("tag-0", JobInputs.EPOCH, count(out.get(0)) - 3));
    CheckResult r = Checker.check(Job.TAG_COUNT, 1000, P, out);
    assertEquals(3, r.lost());
    assertEquals(0, r.duplicated());
    assertFalse(r.promiseHeld(Guarantee.AT_LEAST_ONCE));
    assertTrue(r.promiseHeld(Guarantee.AT_MOST_ONCE));
  }

  @Test
  void tagCountOvercountIsDuplicated() {
    List<OutputRecord> out = PerfectOutput.tagCount(1000);
    out.set(0, PerfectOutput.tagRow("tag-0", JobInputs.EPOCH, count(out.get(0)) + 5));
    CheckResult r = Checker.check(Job.TAG_COUNT, 1000, P, out);
    assertEquals(0, r.lost());
    assertEquals(5, r.duplicated());
    assertFalse(r.promiseHeld(Guarantee.AT_MOST_ONCE));
    assertTrue(r.promiseHeld(Guarantee.AT_LEAST_ONCE));
  }

  @Test
  void tagCountRepeatedWindowIsDuplicated() {
    List<OutputRecord> out = PerfectOutput.tagCount(1000);
    long c = count(out.get(0));
    out.add(out.get(0));
    CheckResult r = Checker.check(Job.TAG_COUNT, 1000, P, out);
    assertEquals(c, r.duplicated());
    assertEquals(0, r.lost());
    assertFalse(r.exact());
  }

  @Test
  void tagCountMissingWindowAndPhantomWindow() {
    List<OutputRecord> out = PerfectOutput.tagCount(1000);
    long c = count(out.remove(0));
    out.add(PerfectOutput.tagRow("tag-77", JobInputs.EPOCH, 4));
    CheckResult r = Checker.check(Job.TAG_COUNT, 1000, P, out);
    assertEquals(c, r.lost());
    assertEquals(4, r.duplicated());
  }

  @Test
  void perfectPaymentsAreExactAndRetriesAreNotEffects() {
    assertPerfect(Checker.check(Job.PAYMENTS, 5000, P, PerfectOutput.payments(5000)), 5000);
    List<OutputRecord> out = PerfectOutput.payments(100);
    out.add(PerfectOutput.paymentRow(9, JobInputs.paymentAmount(9))); // the retry passed the deduplication
    out.remove(50);
    CheckResult r = Checker.check(Job.PAYMENTS, 100, P, out);
    assertEquals(1, r.duplicated());
    assertEquals(1, r.lost());
  }

  @Test
  void paymentWithWrongAmountIsNotExact() {
    List<OutputRecord> out = PerfectOutput.payments(100);
    out.set(3, PerfectOutput.paymentRow(3, 999_999));
    CheckResult r = Checker.check(Job.PAYMENTS, 100, P, out);
    assertFalse(r.exact());
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
  }

  @Test
  void clicksTableAbsorbsReplaysButNotLossOrPhantoms() {
    List<OutputRecord> out = PerfectOutput.clicks(1000);
    out.addAll(PerfectOutput.clicks(300)); // replayed upserts: the table is unchanged
    CheckResult r = Checker.check(Job.CLICKS, 1000, P, out);
    assertPerfect(r, 1000);
    assertEquals(1300, r.outputRecords());

    List<OutputRecord> broken = PerfectOutput.clicks(1000);
    broken.remove(10);
    broken.add(new OutputRecord("s-1|1", "{}"));
    r = Checker.check(Job.CLICKS, 1000, P, broken);
    assertEquals(1, r.lost());
    assertEquals(1, r.duplicated());
  }

  @Test
  void clicksLastValuePerKeyWins() {
    List<OutputRecord> out = PerfectOutput.clicks(100);
    out.add(PerfectOutput.clickRow(5, "/wrong"));
    assertFalse(Checker.check(Job.CLICKS, 100, P, out).exact());
    out.add(PerfectOutput.clickRow(5, JobInputs.clickPage(5)));
    assertTrue(Checker.check(Job.CLICKS, 100, P, out).exact());
  }

  @Test
  void clicksWithoutKeysAreNotAnUpsertTable() {
    List<OutputRecord> out = new ArrayList<>();
    for (OutputRecord r : PerfectOutput.clicks(10)) {
      out.add(OutputRecord.of(r.value()));
    }
    CheckResult r = Checker.check(Job.CLICKS, 10, P, out);
    assertEquals(10, r.lost());
    assertFalse(r.exact());
  }

  private static long count(OutputRecord r) {
    String v = r.value();
    return Long.parseLong(v.substring(v.indexOf("\"count\":") + 8, v.length() - 1));
  }

  private static List<OutputRecord> replace(List<OutputRecord> out, long id, OutputRecord row) {
    List<OutputRecord> copy = new ArrayList<>(out);
    for (int i = 0; i < copy.size(); i++) {
      if (copy.get(i).value().startsWith("{\"id\":" + id + ",")) {
        copy.set(i, row);
        return copy;
      }
    }
    throw new AssertionError("no row for id " + id);
  }

  @Property(tries = 30)
  void legitimateReplaysAndLossesAreNotStateViolations(@ForAll long seed,
      @ForAll @IntRange(min = 1, max = 6) int partitions) {
    long n = 3000;
    CheckResult alo = Checker.check(Job.LEDGER, n, partitions,
        PerfectOutput.ledgerWithRestores(n, partitions, new Random(seed), PerfectOutput.Recovery.REPLAY));
    assertEquals(0, alo.lost(), alo.problems()::toString);
    assertEquals(0, alo.stateLost(), alo.problems()::toString);
    assertTrue(alo.promiseHeld(Guarantee.AT_LEAST_ONCE));
    CheckResult amo = Checker.check(Job.LEDGER, n, partitions,
        PerfectOutput.ledgerWithRestores(n, partitions, new Random(seed), PerfectOutput.Recovery.SKIP));
    assertEquals(0, amo.duplicated(), amo.problems()::toString);
    assertEquals(0, amo.stateDuplicated(), amo.problems()::toString);
    assertTrue(amo.promiseHeld(Guarantee.AT_MOST_ONCE));
  }

  /**
   * The perfect output, except that in one account the transfer with seq 3 changed the state {@code 1 + delta} times
   * while its row was output once (+1: applied twice; -1: never applied): every later row of the account shows it.
   */
  private static List<OutputRecord> withStateEffect(long n, int delta) throws Exception {
    List<OutputRecord> perfect = PerfectOutput.ledger(n, P, new Random(3));
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    long account = JobInputs.ledgerAccount(0);
    long seqOfX = 3;
    long amountOfX = 0;
    for (OutputRecord r : perfect) {
      var j = json.readTree(r.value());
      if (j.get("account").asLong() == account && j.get("seq").asLong() == seqOfX) {
        amountOfX = JobInputs.ledgerAmount(j.get("id").asLong());
      }
    }
    List<OutputRecord> out = new ArrayList<>();
    for (OutputRecord r : perfect) {
      var j = json.readTree(r.value());
      long seq = j.get("seq").asLong();
      if (j.get("account").asLong() == account && seq > seqOfX) {
        out.add(PerfectOutput.ledgerRow(j.get("id").asLong(), account, seq + delta,
            j.get("balance").asLong() + delta * amountOfX));
      } else {
        out.add(r);
      }
    }
    return out;
  }

  @Test
  void aTransferAppliedTwiceToStateButOutputOnceBreaksAtMostOnce() throws Exception {
    long n = 5000;
    CheckResult r = Checker.check(Job.LEDGER, n, P, withStateEffect(n, +1));
    assertEquals(0, r.lost());
    assertEquals(0, r.duplicated());
    assertTrue(r.stateDuplicated() > 0, r.problems()::toString);
    assertFalse(r.promiseHeld(Guarantee.AT_MOST_ONCE), r.problems()::toString);
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
    assertTrue(r.promiseHeld(Guarantee.AT_LEAST_ONCE), "a repeat is allowed at-least-once");
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("applied twice")), r.problems()::toString);
  }

  @Test
  void aTransferOutputButMissingFromStateBreaksAtLeastOnce() throws Exception {
    long n = 5000;
    CheckResult r = Checker.check(Job.LEDGER, n, P, withStateEffect(n, -1));
    assertEquals(0, r.lost());
    assertEquals(0, r.duplicated());
    assertTrue(r.stateLost() > 0, r.problems()::toString);
    assertFalse(r.promiseHeld(Guarantee.AT_LEAST_ONCE), r.problems()::toString);
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
    assertTrue(r.promiseHeld(Guarantee.AT_MOST_ONCE), "a lost effect is allowed at-most-once");
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("missing")), r.problems()::toString);
  }

  @Test
  void theSkewedLayoutHasOneSparseAndOneDensePartition() {
    int[] counts = new int[P];
    for (long i = 0; i < 100_000; i++) {
      counts[InputLayout.SKEWED.partitionOf(i, P)]++;
    }
    assertEquals(1_000, counts[0]);
    assertEquals(60_000, counts[P - 1]);
    assertEquals(39_000, counts[1] + counts[2]);
    assertEquals(1, InputLayout.SKEWED.partitionOf(1, 2));
    assertEquals(0, InputLayout.SKEWED.partitionOf(5, 1));
    // the checker follows the layout: a valid skewed processing is exact
    List<OutputRecord> out = new ArrayList<>();
    java.util.Map<Integer, long[]> state = new java.util.HashMap<>();
    for (long id = 0; id < 3000; id++) { // one valid order: every partition in id order
      int account = JobInputs.ledgerAccount(id);
      long[] st = state.computeIfAbsent(account, a -> new long[2]);
      st[0]++;
      st[1] += JobInputs.ledgerAmount(id);
      out.add(PerfectOutput.ledgerRow(id, account, st[0], st[1]));
    }
    assertTrue(Checker.check(Job.LEDGER, 3000, P, InputLayout.SKEWED, out).exact());
  }
}
