package dev.onceflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@link Checker}'s part for the {@code orders} job ({@link OrdersJob}): both outputs against the input alone, and
 * against each other.
 *
 * <p>Expected: an item's orders lie in one input partition, so they are decided in input order; replaying the rule
 * (accept iff the stock covers the quantity; returns always) per item from {@link JobInputs#initialStock} gives every
 * order's decision and the stock after it, and the item's versions (stock and order after its v-th accepted order).
 *
 * <ul>
 *   <li><b>events</b>: lost = orders without an event; duplicated = events beyond the first per order, events of
 *       orders not in the input, unparseable rows; an event whose decision or stock is not the expected one makes the
 *       output inexact, and the first such event of an item is a state finding: the number of accepted orders the
 *       state held before that order (its {@code accepted_count}, minus one if accepted) above the expected one
 *       means an effect applied twice ({@code state_duplicated}), below an effect missing ({@code state_lost}); the
 *       stock cannot tell, since returns add to it.
 *   <li><b>inventory</b>, read in offset order (one item's rows lie in one partition): every row is a version, its
 *       {@code accepted} count v with the stock (and, in a changelog, the order) of the item's expected version v;
 *       a version seen twice is duplicated (a changelog row committed again), a row that is no expected version is
 *       inexact. The last row per item is the inventory (no row: the initial stock, 0 accepted): a count above the
 *       expected one is duplicated by the difference, below lost by the difference.
 *   <li><b>agreement</b>: per item, the inventory's stock equals the initial stock minus the quantities of the accepted
 *       events, and its count the number of accepted events. Two outputs of one atomic checkpoint must agree; a torn
 *       checkpoint (one sink's output of a checkpoint committed, the other's aborted and replayed) or a lost output
 *       makes them disagree, which makes the output inexact.
 * </ul>
 */
final class OrdersChecker {
  private final Checker c;

  OrdersChecker(Checker c) {
    this.c = c;
  }

  private record Expected(int item, long quantity, boolean accepted, long stockAfter, long countBefore) {}

  private record Event(long id, String item, long quantity, boolean accepted, long stock, long count) {}

  CheckResult check(long n, List<OutputRecord> inventory, List<OutputRecord> events) {
    int size = (int) Math.min(n, Integer.MAX_VALUE - 8);
    Expected[] expected = new Expected[size];
    long[] stock = new long[JobInputs.ITEMS];
    long[] accepted = new long[JobInputs.ITEMS];
    List<List<long[]>> versions = new ArrayList<>(); // per item, version v at v - 1: {stock, order id}
    List<List<Integer>> ordersOfItem = new ArrayList<>();
    for (int k = 0; k < JobInputs.ITEMS; k++) {
      stock[k] = JobInputs.initialStock(k);
      versions.add(new ArrayList<>());
      ordersOfItem.add(new ArrayList<>());
    }
    for (int i = 0; i < size; i++) {
      int k = JobInputs.orderItem(i);
      long q = JobInputs.orderQuantity(i);
      long countBefore = accepted[k];
      boolean ok = stock[k] - q >= 0;
      if (ok) {
        stock[k] -= q;
        accepted[k]++;
        versions.get(k).add(new long[] {stock[k], i});
      }
      expected[i] = new Expected(k, q, ok, stock[k], countBefore);
      ordersOfItem.get(k).add(i);
    }

    long lost = 0;
    long duplicated = 0;
    long stateDuplicated = 0;
    long stateLost = 0;
    boolean exact = true;

    Map<Long, List<Event>> byId = new HashMap<>();
    for (OutputRecord r : events) {
      JsonNode j = c.parse(r.value());
      if (j == null || !Checker.hasLongs(j, "order_id", "quantity", "stock", "accepted_count")
          || Checker.text(j, "item") == null
          || !j.path("accepted").isBoolean()) {
        duplicated++;
        c.problem("unparseable order event: " + r.value());
        continue;
      }
      long id = j.get("order_id").asLong();
      if (id < 0 || id >= n) {
        duplicated++;
        c.problem("event for order " + id + ", which is not an input order");
        continue;
      }
      byId.computeIfAbsent(id, x -> new ArrayList<>(1)).add(new Event(id, j.get("item").asText(),
          j.get("quantity").asLong(), j.get("accepted").asBoolean(), j.get("stock").asLong(),
          j.get("accepted_count").asLong()));
    }
    long[] sumAccepted = new long[JobInputs.ITEMS];
    long[] countAccepted = new long[JobInputs.ITEMS];
    for (int k = 0; k < JobInputs.ITEMS; k++) {
      boolean diverged = false;
      for (int id : ordersOfItem.get(k)) {
        List<Event> rows = byId.get((long) id);
        if (rows == null) {
          lost++;
          c.problem("order " + id + " has no event (lost)");
          continue;
        }
        if (rows.size() > 1) {
          duplicated += rows.size() - 1;
          c.problem("order " + id + " has " + rows.size() + " events (duplicated)");
        }
        Expected x = expected[id];
        Event first = rows.get(0);
        if (first.accepted()) {
          sumAccepted[k] += first.quantity();
          countAccepted[k]++;
        }
        for (Event e : rows) {
          if (e.item().equals(JobInputs.itemName(k)) && e.quantity() == x.quantity() && e.accepted() == x.accepted()
              && e.stock() == x.stockAfter() && e.count() == x.countBefore() + (x.accepted() ? 1 : 0)) {
            continue;
          }
          exact = false;
          c.problem("order " + id + ": event " + e + ", expected " + JobInputs.itemName(k) + " quantity "
              + x.quantity() + (x.accepted() ? " accepted" : " rejected") + " with stock " + x.stockAfter());
          if (!diverged) {
            diverged = true;
            // the count of accepted orders the state held before this one (stock cannot tell: returns add to it)
            long before = e.count() - (e.accepted() ? 1 : 0);
            if (before > x.countBefore()) {
              stateDuplicated++;
              c.problem(JobInputs.itemName(k) + ": " + before + " accepted orders applied before order " + id
                  + ", expected " + x.countBefore() + " (an effect applied twice)");
            } else if (before < x.countBefore()) {
              stateLost++;
              c.problem(JobInputs.itemName(k) + ": " + before + " accepted orders applied before order " + id
                  + ", expected " + x.countBefore() + " (an effect missing)");
            }
          }
        }
      }
    }

    Map<String, long[]> last = new HashMap<>(); // item -> {stock, accepted}
    Map<String, java.util.Set<Long>> seenVersions = new HashMap<>();
    for (OutputRecord r : inventory) {
      JsonNode j = c.parse(r.value());
      String item = j == null ? null : Checker.text(j, "item");
      int k = item == null ? -1 : itemIndex(item);
      if (k < 0 || !Checker.hasLongs(j, "stock", "accepted")) {
        duplicated++;
        c.problem("unparseable inventory row, or not an item: " + r.value());
        continue;
      }
      long v = j.get("accepted").asLong();
      long s = j.get("stock").asLong();
      last.put(item, new long[] {s, v});
      if (!seenVersions.computeIfAbsent(item, x -> new java.util.HashSet<>()).add(v)) {
        duplicated++;
        c.problem(item + ": inventory version " + v + " written twice (a committed change repeated): " + r.value());
        continue;
      }
      List<long[]> vs = versions.get(k);
      boolean known = v == 0 ? s == JobInputs.initialStock(k) : v >= 1 && v <= vs.size() && vs.get((int) v - 1)[0] == s
          && (!j.has("order_id") || j.get("order_id").asLong() == vs.get((int) v - 1)[1]);
      if (!known) {
        exact = false;
        c.problem(item + ": inventory row " + r.value() + " is no version of the item (expected "
            + (v >= 1 && v <= vs.size() ? "stock " + vs.get((int) v - 1)[0] + " after order " + vs.get((int) v - 1)[1]
                : "at most " + vs.size() + " accepted orders") + ")");
      }
    }
    for (int k = 0; k < JobInputs.ITEMS; k++) {
      String item = JobInputs.itemName(k);
      long[] row = last.getOrDefault(item, new long[] {JobInputs.initialStock(k), 0});
      if (row[1] > accepted[k]) {
        duplicated += row[1] - accepted[k];
        c.problem(item + ": the inventory counts " + row[1] + " accepted orders, the input " + accepted[k]
            + " (changes applied more than once)");
      } else if (row[1] < accepted[k]) {
        lost += accepted[k] - row[1];
        c.problem(item + ": the inventory counts " + row[1] + " accepted orders, the input " + accepted[k]
            + " (changes missing)");
      }
      if (row[0] != stock[k]) {
        exact = false;
        c.problem(item + ": inventory stock " + row[0] + ", expected " + stock[k]);
      }
      long fromEvents = JobInputs.initialStock(k) - sumAccepted[k];
      if (row[0] != fromEvents || row[1] != countAccepted[k]) {
        exact = false;
        c.problem(item + ": the outputs disagree: the inventory says stock " + row[0] + " after " + row[1]
            + " accepted orders, the events " + fromEvents + " after " + countAccepted[k]);
      }
    }
    return c.result(n, inventory.size() + events.size(), lost, duplicated, exact, stateDuplicated, stateLost);
  }

  private static int itemIndex(String item) {
    if (!item.startsWith("item-")) {
      return -1;
    }
    try {
      int k = Integer.parseInt(item.substring(5));
      return k >= 0 && k < JobInputs.ITEMS ? k : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
