package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OrdersTest {
  @TempDir Path dir;

  @Test
  void everyOrderIsDecidedOnceAndTheInventoryAgreesWithTheEvents() throws Exception {
    long n = 3_000;
    Orders example = new Orders();
    ExampleRunner.Run run = ExampleRunner.run(example, dir, n);
    // expected, from the input alone: one item's orders are in one partition, so they are decided in input order
    Map<String, Long> stock = new HashMap<>();
    Map<String, String> expected = new LinkedHashMap<>();
    for (InputRecord r : example.input(n)) {
      Orders.Order o = Orders.Order.parse(r.value().getBytes());
      long s = stock.getOrDefault(o.item(), Orders.INITIAL_STOCK);
      boolean ok = o.quantity() <= s;
      stock.put(o.item(), ok ? s - o.quantity() : s);
      expected.put(o.id(), (ok ? "accepted " : "rejected ") + o.id() + " " + o.item() + " " + o.quantity());
    }
    assertTrue(expected.values().stream().anyMatch(v -> v.startsWith("rejected")), "the stock runs out");
    Map<String, String> events = new HashMap<>();
    Map<String, Long> soldPerItem = new HashMap<>();
    for (String e : run.output()) {
      String[] f = e.split(" "); // accepted|rejected ID ITEM QUANTITY
      assertEquals(null, events.put(f[1], e), "two events for " + f[1]);
      if (f[0].equals("accepted")) {
        soldPerItem.merge(f[2], Long.parseLong(f[3]), Long::sum);
      }
    }
    assertEquals(expected, events, "every order decided once, as the input alone decides it");
    List<String> inventory = run.others().get(Orders.INVENTORY);
    assertEquals(stock.size(), inventory.size(), inventory::toString);
    for (String row : inventory) {
      String[] f = row.split(" "); // ITEM stock S
      long s = Long.parseLong(f[2]);
      assertEquals((long) stock.get(f[0]), s, row);
      assertEquals(Orders.INITIAL_STOCK - soldPerItem.getOrDefault(f[0], 0L), s, "the outputs disagree on " + f[0]);
    }
    ExampleRunner.Run again = ExampleRunner.run(example, dir, n);
    assertEquals(run.output().size(), again.output().size(), "a second run on the directory adds nothing");
  }
}
