package dev.onceflow.examples.first;

import dev.onceflow.core.Collector;
import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.log.Log;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The top-level README's "Your first pipeline": orders ({@code customer,cents}) in, each customer's running total
 * out, exactly once. {@link #totals} is the logic, shared with its verification ({@code OrderTotalsJob} in the test
 * sources); {@link #main} runs it on an embedded log in {@code work/}.
 */
public final class OrderTotals {
  private OrderTotals() {}

  /** The pipeline's logic: per customer, the running total after each order ("customer total"). */
  public static DataStream<String> totals(DataStream<String> orders) {
    return orders.keyBy(line -> line.split(",")[0]).process(new RunningTotal());
  }

  /** Keyed state: the customer's total so far. */
  static final class RunningTotal extends KeyedProcessFunction<String, String, String> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> total;

    @Override
    public void open(KeyedStateStore state) {
      total = state.valueState("total", Serializers.LONG);
    }

    @Override
    public void processElement(String order, Context<String> ctx, Collector<String> out) {
      long t = (total.value() == null ? 0 : total.value()) + Long.parseLong(order.split(",")[1]);
      total.update(t);
      out.collect(ctx.currentKey() + " " + t);
    }
  }

  /** Writes 1,000 orders to topic {@code orders} of {@code work/log} (once), then runs the pipeline to their end. */
  public static void main(String[] args) throws Exception {
    try (Log log = Log.open(Path.of("work/log"))) {
      if (!log.topicExists("orders")) {
        log.createTopic("orders", TopicConfig.partitions(2));
        log.createTopic("totals", TopicConfig.partitions(2));
        try (Producer p = log.idempotentProducer()) {
          for (int i = 0; i < 1000; i++) {
            byte[] order = ("customer-" + (i % 10) + "," + (i % 7 + 1) * 100).getBytes(StandardCharsets.UTF_8);
            p.send(new TopicPartition("orders", i % 2), ProducerRecord.of(order));
          }
        }
      }
      DataStream<String> orders = Onceflow.pipeline("order-totals")
          .guarantee(Guarantee.EXACTLY_ONCE)
          .checkpointInterval(Duration.ofSeconds(1))
          .checkpointDir(Path.of("work/checkpoints"))
          .source(LogSource.of(log, "orders", Decoder.utf8String()).bounded());
      totals(orders)
          .sinkTo(LogSink.transactional(log, "totals", Encoder.utf8String()))
          .execute(); // blocks until the input is consumed; run it again: it resumes, or finds it finished
    }
  }
}
