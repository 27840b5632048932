package dev.onceflow.examples;

import dev.onceflow.core.Collector;
import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.log.Log;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The background texts' canonical exactly-once job: "reads an event, updates a database, and emits a new event", the
 * three succeeding or failing as one unit.
 *
 * <p>Orders reserve stock per item, in keyed state; an order that would take the stock below zero is rejected. Two
 * sinks in one pipeline: the inventory (one row per accepted order, keyed by item: read as a table, the last row per
 * item is its stock) and an accepted/rejected event per order. Under EXACTLY_ONCE both sinks pre-commit on the same
 * checkpoint barrier and commit only after that checkpoint completed, so after a crash the inventory and the events
 * always tell the same story: never an accepted event without its stock change, or a change without its event.
 */
public final class Orders implements Example {

  /** An order: its id, the item and the quantity. */
  record Order(String id, String item, int quantity) implements Serializable {
    static Order parse(byte[] bytes) {
      String[] f = new String(bytes, StandardCharsets.UTF_8).split(",");
      return new Order(f[0], f[1], Integer.parseInt(f[2]));
    }
  }

  /** What the job decided for an order, and the item's stock after it. */
  record Decision(Order order, boolean accepted, long stock) implements Serializable {}

  /** Per item: accept the order if the stock covers it. */
  static final class Reserve extends KeyedProcessFunction<String, Order, Decision> {
    private transient ValueState<Long> stock;

    @Override
    public void open(KeyedStateStore state) {
      stock = state.valueState("stock", Serializers.LONG);
    }

    @Override
    public void processElement(Order o, Context<String> ctx, Collector<Decision> out) {
      long s = stock.value() == null ? INITIAL_STOCK : stock.value();
      boolean accepted = o.quantity() <= s;
      if (accepted) {
        stock.update(s - o.quantity());
      }
      out.collect(new Decision(o, accepted, accepted ? s - o.quantity() : s));
    }
  }

  @Override
  public Pipeline pipeline(Log log, Path checkpointDir) {
    Pipeline p = Onceflow.pipeline("orders")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(200))
        .checkpointDir(checkpointDir);
    DataStream<Decision> decisions = p.source(LogSource.of(log, inputTopic(), Order::parse).bounded())
        .keyBy(Order::item)
        .process(new Reserve());
    decisions.filter(Decision::accepted).sinkTo(LogSink.transactional(log, INVENTORY,   // the "database" ...
        (Decision d) -> d.order().item().getBytes(StandardCharsets.UTF_8),
        (Decision d) -> (d.order().item() + " stock " + d.stock()).getBytes(StandardCharsets.UTF_8)));
    decisions.sinkTo(LogSink.transactional(log, outputTopic(),                             // ... and the event
        (Decision d) -> ((d.accepted() ? "accepted " : "rejected ") + d.order().id() + " " + d.order().item() + " "
            + d.order().quantity()).getBytes(StandardCharsets.UTF_8)));
    return p;
  }

  /** Every item's stock before the first order. */
  static final long INITIAL_STOCK = 40;
  /** The inventory topic (a table: the last value per item). */
  static final String INVENTORY = "inventory";

  /**
   * Order i: id {@code o-i}, item {@code item-(i*7 mod 23)}, quantity 1 + (i*13 mod 5), at EPOCH + i s; written keyed
   * by item, so that one item's orders are in one partition, in order (as a producer keyed by item would).
   */
  @Override
  public List<InputRecord> input(long events) {
    List<InputRecord> out = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      String item = "item-" + (i * 7 % 23);
      out.add(new InputRecord("o-" + i + "," + item + "," + (1 + i * 13 % 5), EPOCH + i * 1000, item));
    }
    return out;
  }

  @Override
  public List<String> outputTopics() {
    return List.of(outputTopic(), INVENTORY);
  }

  @Override
  public List<String> tableTopics() {
    return List.of(INVENTORY);
  }

  @Override
  public long defaultEvents() {
    return 2_000;
  }

  @Override
  public String name() {
    return "orders";
  }

  @Override
  public String summary() {
    return "orders reserve stock per item: an inventory table and an accepted/rejected event, two sinks in one"
        + " EXACTLY_ONCE checkpoint";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public String inputTopic() {
    return "orders";
  }

  @Override
  public String outputTopic() {
    return "order-events";
  }
}
