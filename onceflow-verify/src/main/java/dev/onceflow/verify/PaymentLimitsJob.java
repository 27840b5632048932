package dev.onceflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onceflow.core.Collector;
import dev.onceflow.core.DataStream;
import dev.onceflow.core.KeyedCoProcessFunction;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.MapState;
import java.io.IOException;
import java.io.Serializable;
import java.util.Map;

/**
 * The verifier's {@code payments-limits} job: payments enriched with the account limit in force at their event time,
 * the limits coming from a second stream, through a two-input keyed operator
 * ({@code payments.connect(limits).keyBy(account, account).process(KeyedCoProcessFunction)}).
 *
 * <p>Both streams come from the job's input topic (records of kind {@code payment} and {@code limit}, split by two
 * filters), so the two inputs of the operator are fed by every source subtask and its barriers align across both.
 * Keyed state per account: the limit updates by event time ({@code MapState}) and the payments waiting for their
 * decision. A payment registers an event-time timer at its timestamp; when the watermark passes it, every limit update
 * with an earlier timestamp has arrived (input partitions are in event-time order and nothing is late), so the
 * decision takes the latest of them ({@link JobInputs#DEFAULT_LIMIT} before any): approved iff amount &le; limit. The
 * decision depends on the input alone, not on how the two inputs interleaved, which is what lets the checker
 * recompute it. Output: one row per payment, {@code {"payment_id","account","amount","limit","approved"}}.
 */
public final class PaymentLimitsJob {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PaymentLimitsJob() {}

  /** Wires the job from the decoded input records to {@code sink}. */
  static void build(DataStream<Record> input, Sink<OutputRow> sink) {
    DataStream<Payment> payments = input.filter(r -> r.payment() != null).map(Record::payment);
    DataStream<Limit> limits = input.filter(r -> r.limit() != null).map(Record::limit);
    payments.connect(limits)
        .keyBy(Payment::account, Limit::account)
        .process(new Decide())
        .sinkTo(sink);
  }

  static Record decode(byte[] b) throws IOException {
    JsonNode j = JSON.readTree(b);
    int account = j.get("account").asInt();
    long ts = j.get("ts").asLong();
    return "limit".equals(j.get("kind").asText())
        ? new Record(null, new Limit(account, j.get("limit").asLong(), ts))
        : new Record(new Payment(j.get("id").asLong(), account, j.get("amount").asLong(), ts), null);
  }

  /** An input record: exactly one of the two is set. */
  record Record(Payment payment, Limit limit) implements Serializable {}

  record Payment(long id, int account, long amount, long ts) implements Serializable {}

  record Limit(int account, long limit, long ts) implements Serializable {}

  /** Waits for the watermark to pass each payment, then decides it against the limit in force at its time. */
  static final class Decide extends KeyedCoProcessFunction<Integer, Payment, Limit, OutputRow> {
    private static final long serialVersionUID = 1L;
    private transient MapState<Long, Long> limits;
    private transient MapState<Long, Payment> waiting;

    @Override
    public void open(KeyedStateStore state) {
      limits = state.mapState("limits", Serializers.LONG, Serializers.LONG);
      waiting = state.mapState("waiting");
    }

    @Override
    public void processElement1(Payment p, KeyedProcessFunction.Context<Integer> ctx, Collector<OutputRow> out) {
      waiting.put(p.ts(), p); // timestamps are unique per input record
      ctx.registerEventTimeTimer(p.ts());
    }

    @Override
    public void processElement2(Limit l, KeyedProcessFunction.Context<Integer> ctx, Collector<OutputRow> out) {
      limits.put(l.ts(), l.limit());
    }

    @Override
    public void onTimer(long ts, KeyedProcessFunction.Context<Integer> ctx, Collector<OutputRow> out) {
      Payment p = waiting.get(ts);
      if (p == null) {
        return;
      }
      waiting.remove(ts);
      long inForce = JobInputs.DEFAULT_LIMIT;
      long inForceTs = Long.MIN_VALUE;
      for (Map.Entry<Long, Long> e : limits.entries().entrySet()) {
        if (e.getKey() < ts && e.getKey() > inForceTs) {
          inForceTs = e.getKey();
          inForce = e.getValue();
        }
      }
      // later payments of this account are later than the watermark, so older updates can no longer be in force
      for (Long t : java.util.List.copyOf(limits.entries().keySet())) {
        if (t < inForceTs) {
          limits.remove(t);
        }
      }
      out.collect(new OutputRow(null, "{\"payment_id\":" + p.id() + ",\"account\":" + p.account() + ",\"amount\":"
          + p.amount() + ",\"limit\":" + inForce + ",\"approved\":" + (p.amount() <= inForce) + "}"));
    }
  }
}
