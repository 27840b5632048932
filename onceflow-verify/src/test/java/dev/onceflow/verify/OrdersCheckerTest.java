package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The orders checker alone: perfect outputs, and each way the two outputs can be wrong or disagree. */
class OrdersCheckerTest {
  static final long N = 3_000;

  /** A correct processing: events and an inventory changelog (log) or the final table (database). */
  record Outputs(List<OutputRecord> inventory, List<OutputRecord> events) {
    Map<String, List<OutputRecord>> map() {
      return Map.of(OrdersJob.INVENTORY, inventory, OrdersJob.EVENTS, events);
    }
  }

  static Outputs perfect(long n, boolean changelog) {
    long[] stock = new long[JobInputs.ITEMS];
    long[] accepted = new long[JobInputs.ITEMS];
    for (int k = 0; k < JobInputs.ITEMS; k++) {
      stock[k] = JobInputs.initialStock(k);
    }
    List<OutputRecord> events = new ArrayList<>();
    List<OutputRecord> inventory = new ArrayList<>();
    for (long i = 0; i < n; i++) {
      OrdersJob.Order o = new OrdersJob.Order(i, JobInputs.itemName(JobInputs.orderItem(i)), JobInputs.orderQuantity(i),
          JobInputs.orderTimestamp(i));
      int k = JobInputs.orderItem(i);
      boolean ok = stock[k] - o.quantity() >= 0;
      if (ok) {
        stock[k] -= o.quantity();
        accepted[k]++;
      }
      OrdersJob.Decision d = new OrdersJob.Decision(o, ok, stock[k], accepted[k]);
      events.add(OutputRecord.of(d.eventRow().json()));
      if (ok && changelog) {
        inventory.add(new OutputRecord(o.item(), d.inventoryRow().json()));
      }
    }
    if (!changelog) { // a database table: one row per item, no order id
      for (int k = 0; k < JobInputs.ITEMS; k++) {
        inventory.add(new OutputRecord(JobInputs.itemName(k), "{\"item\":\"" + JobInputs.itemName(k) + "\",\"stock\":"
            + stock[k] + ",\"accepted\":" + accepted[k] + "}"));
      }
    }
    return new Outputs(inventory, events);
  }

  static CheckResult check(Outputs o) {
    return Checker.check(Job.ORDERS, N, 4, InputLayout.ROUND_ROBIN, o.map());
  }

  @Test
  void perfectOutputsAreExactWhateverTheEventOrder() {
    for (boolean changelog : new boolean[] {true, false}) {
      Outputs o = perfect(N, changelog);
      List<OutputRecord> shuffled = new ArrayList<>(o.events());
      Collections.shuffle(shuffled, new Random(7)); // events of different items interleave freely
      CheckResult r = check(new Outputs(o.inventory(), shuffled));
      assertTrue(r.exact(), r::toString);
      assertEquals(0, r.lost());
      assertEquals(0, r.duplicated());
      assertTrue(r.promiseHeld(Guarantee.EXACTLY_ONCE));
    }
  }

  @Test
  void theInputRejectsAndAcceptsAllAlong() {
    Outputs o = perfect(N, true);
    long rejectedFirstHalf = o.events().subList(0, (int) N / 2).stream().filter(r -> r.value().contains("false"))
        .count();
    long rejectedSecondHalf = o.events().subList((int) N / 2, (int) N).stream()
        .filter(r -> r.value().contains("false")).count();
    assertTrue(rejectedFirstHalf > N / 50 && rejectedSecondHalf > N / 50,
        rejectedFirstHalf + " / " + rejectedSecondHalf + " rejected");
    assertTrue(o.inventory().size() > N / 2, o.inventory().size() + " accepted");
  }

  /** The torn checkpoint on a changelog: the inventory's rows of a checkpoint committed, then written again. */
  @Test
  void inventoryRowsCommittedTwiceAreDuplicated() {
    Outputs o = perfect(N, true);
    List<OutputRecord> inv = new ArrayList<>(o.inventory());
    inv.addAll(200, inv.subList(100, 200)); // replayed after the inventory's early commit
    CheckResult r = check(new Outputs(inv, o.events()));
    assertEquals(100, r.duplicated(), r::toString);
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
    assertFalse(r.promiseHeld(Guarantee.AT_MOST_ONCE));
    assertTrue(r.promiseHeld(Guarantee.AT_LEAST_ONCE));
  }

  /** The torn checkpoint on a database: the changes of a checkpoint added twice to the table. */
  @Test
  void inventoryChangesAppliedTwiceMakeTheOutputsDisagree() {
    Outputs o = perfect(N, false);
    List<OutputRecord> inv = new ArrayList<>(o.inventory());
    OutputRecord item3 = inv.get(3);
    long stock = Long.parseLong(item3.value().replaceAll(".*\"stock\":(-?\\d+).*", "$1"));
    long accepted = Long.parseLong(item3.value().replaceAll(".*\"accepted\":(\\d+).*", "$1"));
    inv.set(3, new OutputRecord(item3.key(), "{\"item\":\"item-3\",\"stock\":" + (stock - 5) + ",\"accepted\":"
        + (accepted + 1) + "}"));
    CheckResult r = check(new Outputs(inv, o.events()));
    assertEquals(1, r.duplicated(), r::toString);
    assertFalse(r.exact());
    assertTrue(r.problems().stream().anyMatch(p -> p.contains("the outputs disagree")), r::toString);
  }

  /** The other torn checkpoint: the events of a checkpoint committed and replayed, the inventory exact. */
  @Test
  void eventsRepeatedAreDuplicatedAndLostEventsDisagreeWithTheInventory() {
    Outputs o = perfect(N, true);
    List<OutputRecord> ev = new ArrayList<>(o.events());
    ev.addAll(ev.subList(10, 20));
    CheckResult dup = check(new Outputs(o.inventory(), ev));
    assertEquals(10, dup.duplicated(), dup::toString);
    assertEquals(0, dup.lost());

    List<OutputRecord> fewer = new ArrayList<>(o.events());
    fewer.subList(500, 520).clear();
    CheckResult lost = check(new Outputs(o.inventory(), fewer));
    assertEquals(20, lost.lost(), lost::toString);
    assertFalse(lost.exact());
    assertTrue(lost.promiseHeld(Guarantee.AT_MOST_ONCE));
    assertFalse(lost.promiseHeld(Guarantee.AT_LEAST_ONCE));
  }

  /** An order applied twice to the stock (output once): later decisions of the item change, a state finding. */
  @Test
  void anOrderAppliedTwiceToTheStockIsAStateEffectAppliedTwice() {
    long[] stock = new long[JobInputs.ITEMS];
    long[] accepted = new long[JobInputs.ITEMS];
    for (int k = 0; k < JobInputs.ITEMS; k++) {
      stock[k] = JobInputs.initialStock(k);
    }
    List<OutputRecord> events = new ArrayList<>();
    List<OutputRecord> inventory = new ArrayList<>();
    boolean twice = false;
    for (long i = 0; i < N; i++) {
      int k = JobInputs.orderItem(i);
      OrdersJob.Order o = new OrdersJob.Order(i, JobInputs.itemName(k), JobInputs.orderQuantity(i), 0);
      boolean ok = stock[k] - o.quantity() >= 0;
      if (ok) {
        stock[k] -= o.quantity();
        if (!twice && i >= 400 && o.quantity() > 0 && stock[k] - o.quantity() >= 0) {
          twice = true;
          stock[k] -= o.quantity(); // applied twice to the state, output once
          accepted[k]++;
        }
        accepted[k]++;
      }
      OrdersJob.Decision d = new OrdersJob.Decision(o, ok, stock[k], accepted[k]);
      events.add(OutputRecord.of(d.eventRow().json()));
      if (ok) {
        inventory.add(new OutputRecord(o.item(), d.inventoryRow().json()));
      }
    }
    CheckResult r = check(new Outputs(inventory, events));
    assertEquals(1, r.stateDuplicated(), r::toString);
    assertEquals(0, r.stateLost(), r::toString);
    assertFalse(r.promiseHeld(Guarantee.AT_MOST_ONCE));
    assertFalse(r.promiseHeld(Guarantee.EXACTLY_ONCE));
  }

  @Test
  void garbageAndPhantomsAreDuplicated() {
    Outputs o = perfect(N, true);
    List<OutputRecord> ev = new ArrayList<>(o.events());
    ev.add(OutputRecord.of("not json"));
    ev.add(OutputRecord.of("{\"order_id\":999999,\"item\":\"item-1\",\"quantity\":1,\"accepted\":true,\"stock\":1}"));
    List<OutputRecord> inv = new ArrayList<>(o.inventory());
    inv.add(new OutputRecord("item-99", "{\"item\":\"item-99\",\"stock\":1,\"accepted\":1}"));
    CheckResult r = check(new Outputs(inv, ev));
    assertEquals(3, r.duplicated(), r::toString);
  }
}
