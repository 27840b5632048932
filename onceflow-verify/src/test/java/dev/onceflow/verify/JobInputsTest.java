package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JobInputsTest {
  @Test
  void ledgerEventsFollowTheFormula() {
    List<InputEvent> in = JobInputs.generate(Job.LEDGER, 3);
    assertEquals("{\"id\":2,\"account\":838,\"amount\":-38}", in.get(2).json());
  }

  @Test
  void tagsUseTheKnuthHashModulo50() {
    assertEquals("tag-0", JobInputs.tag(0));
    assertEquals("tag-" + ((2654435761L & 0xFFFFFFFFL) % 50), JobInputs.tag(1));
    assertEquals(JobInputs.EPOCH + 20_000, JobInputs.generate(Job.TAG_COUNT, 3).get(2).timestamp());
  }

  @Test
  void everyTenthPaymentIsSentTwiceThreePaymentsLater() {
    List<InputEvent> in = JobInputs.generate(Job.PAYMENTS, 25);
    assertEquals(25 + 2, in.size()); // ids 9 and 19 are retried
    Map<String, Integer> times = new HashMap<>();
    for (InputEvent e : in) {
      times.merge(e.json(), 1, Integer::sum);
    }
    assertEquals(2, times.get("{\"payment_id\":9,\"amount\":" + JobInputs.paymentAmount(9) + "}"));
    assertEquals(1, times.get("{\"payment_id\":10,\"amount\":" + JobInputs.paymentAmount(10) + "}"));
    // the retry of 9 comes right after payment 12
    assertTrue(in.get(13).json().contains("\"payment_id\":9,"));
    // a retry near the end is still emitted
    List<InputEvent> tail = JobInputs.generate(Job.PAYMENTS, 10);
    assertEquals(11, tail.size());
    assertTrue(tail.get(10).json().contains("\"payment_id\":9,"));
  }

  @Test
  void clickKeysAreUnique() {
    List<InputEvent> in = JobInputs.generate(Job.CLICKS, 1000);
    assertEquals(1000, in.stream().map(e -> e.json()).distinct().count());
  }

  /** The orders of one item lie in one partition, under every layout: they are then decided in input order. */
  @Test
  void ordersArePlacedByItem() {
    List<InputEvent> in = JobInputs.generate(Job.ORDERS, 2_000);
    for (InputLayout layout : InputLayout.values()) {
      for (int partitions : new int[] {1, 3, 4}) {
        java.util.Map<String, Integer> partitionOfItem = new java.util.HashMap<>();
        for (InputEvent e : in) {
          String item = JobInputs.itemName(JobInputs.orderItem(e.position()));
          assertTrue(e.json().contains("\"item\":\"" + item + "\""), e.json());
          int p = e.partition(layout, partitions);
          assertEquals(partitionOfItem.computeIfAbsent(item, x -> p), p, item + " in two partitions");
        }
        assertEquals(JobInputs.ITEMS, partitionOfItem.size());
      }
    }
    assertTrue(in.get(5).json().contains("\"quantity\":-15"), in.get(5).json()); // a return
  }

  @Test
  void paymentsLimitsMixesLimitUpdatesAndPayments() {
    List<InputEvent> in = JobInputs.generate(Job.PAYMENTS_LIMITS, 8);
    assertTrue(in.get(0).json().startsWith("{\"kind\":\"limit\""), in.get(0).json());
    assertTrue(in.get(1).json().startsWith("{\"kind\":\"payment\",\"id\":1,"), in.get(1).json());
    assertEquals(JobInputs.EPOCH + 7_000, in.get(7).timestamp());
    assertEquals(List.of("output"), Job.PAYMENTS_LIMITS.outputs());
    assertEquals(List.of("inventory", "events"), Job.ORDERS.outputs());
  }

  @Test
  void unknownJobNameListsTheValidOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Job.fromName("nope"));
    assertTrue(e.getMessage().contains("ledger, tag-count, payments, clicks, orders, payments-limits"));
    assertEquals(Job.TAG_COUNT, Job.fromName("tag-count"));
  }
}
