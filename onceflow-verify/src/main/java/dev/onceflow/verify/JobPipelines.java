package dev.onceflow.verify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onceflow.core.Collector;
import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.log.Log;
import java.io.Serializable;
import java.time.Duration;
import java.util.function.Function;

/**
 * The verifier's pipelines, log topic to log topic, built with the public Onceflow API only.
 *
 * <ul>
 *   <li>ledger: keyBy account; keyed state (seq, balance); one row per transfer.
 *   <li>tag-count: event time = the input record's timestamp, bounded out-of-orderness 1 h; keyBy tag; 1-hour
 *       tumbling windows counted ({@link Checker#TAG_WINDOW}); the input spans days, so most windows fire while the
 *       job runs (a kill can then cut off or repeat their rows), the rest at end of input.
 *   <li>payments: deduplicate by payment id with an event-time TTL; one row per payment.
 *   <li>clicks: map to the table row and write it to the idempotent upsert sink keyed by (session, ts).
 *   <li>orders: keyBy item, stock in keyed state, two sinks (inventory and events) in one checkpoint
 *       ({@link OrdersJob}).
 *   <li>payments-limits: payments and limit updates connected and keyed by account, decided by event-time timers
 *       ({@link PaymentLimitsJob}).
 * </ul>
 */
public final class JobPipelines {
  private static final ObjectMapper JSON = new ObjectMapper();

  private JobPipelines() {}

  /**
   * The guarantee the engine runs for {@code asked}: the same, except clicks under EXACTLY_ONCE, which runs
   * AT_LEAST_ONCE (unaligned replay) into an idempotent upsert sink: the promise is kept by idempotence
   * (effectively-once), not by transactions.
   */
  public static Guarantee effectiveGuarantee(Job job, Guarantee asked) {
    return job == Job.CLICKS && asked == Guarantee.EXACTLY_ONCE ? Guarantee.AT_LEAST_ONCE : asked;
  }

  /**
   * Builds the pipeline of {@code spec.job()} reading the input topic of {@code log} and writing its output topic.
   *
   * @param faults the fault injector, or null for none (no in-process restarts are then allowed, unless the output
   *     store asks for them ({@link ChildIo#RESTARTS}): an unexpected exception fails the child, loudly)
   */
  public static Pipeline build(JobRunSpec spec, Log log, SinkFactory sinks, FaultInjector faults,
      JobListener listener) {
    return build(spec, log, SourceFactory.LOG, sinks, faults, listener);
  }

  /** Builds the pipeline of {@code spec.job()} reading its input through {@code sources}; see {@link #build}. */
  public static Pipeline build(JobRunSpec spec, Log log, SourceFactory sources, SinkFactory sinks,
      FaultInjector faults, JobListener listener) {
    Job job = spec.job();
    Guarantee g = effectiveGuarantee(job, spec.guarantee());
    Pipeline p = Onceflow.pipeline("verify-" + job.cliName())
        .guarantee(g)
        .parallelism(spec.parallelism())
        .checkpointInterval(Duration.ofMillis(spec.checkpointIntervalMs()))
        .checkpointDir(spec.checkpointDir())
        .restartStrategy(faults != null ? RestartStrategy.fixedDelay(1000, Duration.ofMillis(10))
            : ChildIo.restartsInProcess(spec.io()) ? RestartStrategy.fixedDelay(30, Duration.ofMillis(500))
            : RestartStrategy.noRestart())
        .listener(listener);
    Sink<OutputRow> sink = job.outputs().size() == 1 ? sink(spec, log, sinks, faults, g, Job.OUTPUT) : null;
    String in = JobRunSpec.inputTopic(job);
    switch (job) {
      case LEDGER -> source(p, spec, sources, log, in, JobPipelines::transfer, faults, WatermarkStrategy.none())
          .keyBy(Transfer::account)
          .process(new LedgerFunction())
          .sinkTo(sink);
      case TAG_COUNT -> source(p, spec, sources, log, in, JobPipelines::tagEvent, faults,
          WatermarkStrategy.boundedOutOfOrderness(Duration.ofHours(1)))
          .keyBy(TagEvent::tag)
          .window(WindowAssigner.tumbling(Checker.TAG_WINDOW))
          .count()
          .map(w -> new OutputRow(null, "{\"tag\":\"" + w.key() + "\",\"window_start\":" + w.start()
              + ",\"count\":" + w.value() + "}"))
          .sinkTo(sink);
      case PAYMENTS -> source(p, spec, sources, log, in, JobPipelines::payment, faults,
          WatermarkStrategy.boundedOutOfOrderness(Duration.ofMinutes(1)))
          .deduplicate(Payment::id, Duration.ofMillis(spec.dedupTtlMs()))
          .map(x -> new OutputRow(null, "{\"payment_id\":" + x.id() + ",\"amount\":" + x.amount() + "}"))
          .sinkTo(sink);
      case CLICKS -> source(p, spec, sources, log, in, JobPipelines::click, faults, WatermarkStrategy.none())
          .map(c -> new OutputRow(JobInputs.clickKey(c.session(), c.ts()),
              "{\"session\":\"" + c.session() + "\",\"ts\":" + c.ts() + ",\"page\":\"" + c.page() + "\"}"))
          .sinkTo(sink);
      case ORDERS -> OrdersJob.build(source(p, spec, sources, log, in, OrdersJob::decode, faults,
          WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(1))),
          sink(spec, log, sinks, faults, g, OrdersJob.INVENTORY), sink(spec, log, sinks, faults, g, OrdersJob.EVENTS));
      case PAYMENTS_LIMITS -> PaymentLimitsJob.build(source(p, spec, sources, log, in, PaymentLimitsJob::decode,
          faults, WatermarkStrategy.monotonous()), sink);
      default -> throw new AssertionError(job);
    }
    return p;
  }

  /** The sink of {@code output}: the factory's, with the injected faults, reporting its prepares. */
  private static Sink<OutputRow> sink(JobRunSpec spec, Log log, SinkFactory sinks, FaultInjector faults,
      Guarantee g, String output) {
    Sink<OutputRow> sink = sinks.create(log, JobRunSpec.outputTopic(spec.job(), output), spec.job(), output, g);
    if (faults != null) {
      sink = withFaults(faults, sink);
    }
    return PrepareReportingSink.wrap(sink);
  }

  private static <T> DataStream<T> source(Pipeline p, JobRunSpec spec, SourceFactory sources, Log log, String topic,
      Decoder<T> decoder, FaultInjector faults, WatermarkStrategy watermarks) {
    Source<T> source = new EndOfInputSource<>(sources.create(log, topic, spec.job(), decoder));
    if (spec.recordsPerSecond() > 0) {
      source = new PacedSource<>(source, spec.recordsPerSecond());
    }
    if (faults == null) {
      return p.source(source, watermarks);
    }
    return p.source(faults.source(source), watermarks).map(faults.operator(Function.identity()));
  }

  @SuppressWarnings("unchecked")
  private static Sink<OutputRow> withFaults(FaultInjector faults, Sink<OutputRow> sink) {
    if (sink instanceof TwoPhaseCommitSink<?> t) {
      return faults.sink((TwoPhaseCommitSink<OutputRow>) t);
    }
    if (sink instanceof WriteThroughSink<?> w) {
      return faults.sink((WriteThroughSink<OutputRow>) w);
    }
    throw new IllegalArgumentException("cannot inject faults into sink " + sink.name() + " of an unknown kind");
  }

  private static JsonNode parse(byte[] bytes) throws java.io.IOException {
    return JSON.readTree(bytes);
  }

  static Transfer transfer(byte[] b) throws java.io.IOException {
    JsonNode j = parse(b);
    return new Transfer(j.get("id").asLong(), j.get("account").asInt(), j.get("amount").asInt());
  }

  static TagEvent tagEvent(byte[] b) throws java.io.IOException {
    JsonNode j = parse(b);
    return new TagEvent(j.get("id").asLong(), j.get("tag").asText(), j.get("ts").asLong());
  }

  static Payment payment(byte[] b) throws java.io.IOException {
    JsonNode j = parse(b);
    return new Payment(j.get("payment_id").asLong(), j.get("amount").asLong());
  }

  static Click click(byte[] b) throws java.io.IOException {
    JsonNode j = parse(b);
    return new Click(j.get("session").asText(), j.get("ts").asLong(), j.get("page").asText());
  }

  record Transfer(long id, int account, int amount) implements Serializable {}

  record TagEvent(long id, String tag, long ts) implements Serializable {}

  record Payment(long id, long amount) implements Serializable {}

  record Click(String session, long ts, String page) implements Serializable {}

  /** Per account: seq = 1, 2, ... and the running balance; one row per transfer. */
  static final class LedgerFunction extends KeyedProcessFunction<Integer, Transfer, OutputRow> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> seq;
    private transient ValueState<Long> balance;

    @Override
    public void open(KeyedStateStore state) {
      seq = state.valueState("seq", Serializers.LONG);
      balance = state.valueState("balance", Serializers.LONG);
    }

    @Override
    public void processElement(Transfer t, Context<Integer> ctx, Collector<OutputRow> out) {
      Long s = seq.value();
      Long b = balance.value();
      long nextSeq = s == null ? 1 : s + 1;
      long nextBalance = (b == null ? 0 : b) + t.amount();
      seq.update(nextSeq);
      balance.update(nextBalance);
      out.collect(new OutputRow(null, "{\"id\":" + t.id() + ",\"account\":" + t.account() + ",\"seq\":" + nextSeq
          + ",\"balance\":" + nextBalance + "}"));
    }
  }
}
