package dev.onceflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onceflow.core.Collector;
import dev.onceflow.core.DataStream;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import java.io.IOException;
import java.io.Serializable;

/**
 * The verifier's {@code orders} job: the canonical exactly-once job of the background texts, "reads an event, updates
 * a database, and emits a new event", the three succeeding or failing as one unit.
 *
 * <p>Orders ({@code id, item, quantity, ts}; a negative quantity is a return) are keyed by item; keyed state holds
 * the item's stock (starting at {@link JobInputs#initialStock}) and the number of accepted orders. An order is
 * rejected when the stock would go below zero, else accepted and the stock reduced (a return is always accepted).
 * Two outputs, two sinks, one pipeline, so one checkpoint covers both:
 *
 * <ul>
 *   <li>{@value #INVENTORY}: one row per accepted order, keyed by item, {@code {"item","stock","accepted","order_id",
 *       "stock_delta","accepted_delta"}}: the stock and count after it (a changelog; read as a table, the last row
 *       per item is the inventory) and the change it made (a database table adds the deltas to its rows).
 *   <li>{@value #EVENTS}: one event per order, {@code {"order_id","item","quantity","accepted","stock",
 *       "accepted_count"}} (the item's stock and number of accepted orders after the decision).
 * </ul>
 *
 * <p>The rule makes the order of effects visible: a replay that applies an order twice, or out of order, changes
 * later decisions, and a torn checkpoint (one sink's output of a checkpoint committed, the other's replayed) makes
 * the two outputs disagree. {@link OrdersChecker} checks both against the input and against each other.
 */
public final class OrdersJob {
  /** The inventory output's name (topic {@code orders-inventory}). */
  public static final String INVENTORY = "inventory";
  /** The accepted/rejected events output's name (topic {@code orders-events}). */
  public static final String EVENTS = "events";

  private static final ObjectMapper JSON = new ObjectMapper();

  private OrdersJob() {}

  /** Wires the job: decisions keyed by item, events to {@code events}, accepted orders' changes to {@code inventory}. */
  static void build(DataStream<Order> orders, Sink<OutputRow> inventory, Sink<OutputRow> events) {
    DataStream<Decision> decisions = orders.keyBy(Order::item).process(new Reserve());
    decisions.map(Decision::eventRow).sinkTo(events);
    decisions.filter(Decision::accepted).map(Decision::inventoryRow).sinkTo(inventory);
  }

  static Order decode(byte[] b) throws IOException {
    JsonNode j = JSON.readTree(b);
    return new Order(j.get("id").asLong(), j.get("item").asText(), j.get("quantity").asLong(), j.get("ts").asLong());
  }

  /** The stock of an item before its first order, from its name. */
  static long initialStock(String item) {
    return JobInputs.initialStock(Integer.parseInt(item.substring("item-".length())));
  }

  record Order(long id, String item, long quantity, long ts) implements Serializable {}

  /**
   * One order's decision and the item's state after it.
   *
   * @param stock the stock after the decision
   * @param acceptedCount the item's accepted orders so far, this one included
   */
  record Decision(Order order, boolean accepted, long stock, long acceptedCount) implements Serializable {
    OutputRow eventRow() {
      return new OutputRow(null, "{\"order_id\":" + order.id() + ",\"item\":\"" + order.item() + "\",\"quantity\":"
          + order.quantity() + ",\"accepted\":" + accepted + ",\"stock\":" + stock + ",\"accepted_count\":"
          + acceptedCount + "}");
    }

    OutputRow inventoryRow() {
      return new OutputRow(order.item(), "{\"item\":\"" + order.item() + "\",\"stock\":" + stock + ",\"accepted\":"
          + acceptedCount + ",\"order_id\":" + order.id() + ",\"stock_delta\":" + (-order.quantity())
          + ",\"accepted_delta\":1}");
    }
  }

  /** Per item: accept an order if the stock covers it (returns always), and say so. */
  static final class Reserve extends KeyedProcessFunction<String, Order, Decision> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> stock;
    private transient ValueState<Long> accepted;

    @Override
    public void open(KeyedStateStore state) {
      stock = state.valueState("stock", Serializers.LONG);
      accepted = state.valueState("accepted", Serializers.LONG);
    }

    @Override
    public void processElement(Order o, Context<String> ctx, Collector<Decision> out) {
      long s = stock.value() == null ? initialStock(o.item()) : stock.value();
      long n = accepted.value() == null ? 0 : accepted.value();
      if (s - o.quantity() < 0) {
        out.collect(new Decision(o, false, s, n));
        return;
      }
      stock.update(s - o.quantity());
      accepted.update(n + 1);
      out.collect(new Decision(o, true, s - o.quantity(), n + 1));
    }
  }
}
