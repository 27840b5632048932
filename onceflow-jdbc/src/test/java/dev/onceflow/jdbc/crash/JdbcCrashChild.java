package dev.onceflow.jdbc.crash;

import dev.onceflow.core.Collector;
import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.ChildJob;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.jdbc.JdbcSink;
import dev.onceflow.jdbc.JdbcSinkBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

/**
 * The pipeline the kill tests SIGKILL: {@code <jdbcUrl> <checkpointDir> <job> <mode> <guarantee> <events>}. Prints
 * {@code STARTED}, {@code PROGRESS n} (records read), {@code BARRIER n} (a sink subtask prepared checkpoint n),
 * {@code CKPT n} (checkpoint complete, not yet committed), {@code COMMITTED n} and {@code FINISHED}.
 */
public final class JdbcCrashChild {
  private JdbcCrashChild() {}

  public static void main(String[] args) throws Exception {
    JdbcConnection conn = JdbcConnection.url(args[0]);
    Path ckptDir = Path.of(args[1]);
    String job = args[2];
    String mode = args[3];
    Guarantee guarantee = Guarantee.valueOf(args[4]);
    long events = Long.parseLong(args[5]);
    System.out.println("STARTED");
    Pipeline p = Onceflow.pipeline("crash-" + job)
        .guarantee(guarantee)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(100))
        .checkpointDir(ckptDir)
        .restartStrategy(RestartStrategy.fixedDelay(20, Duration.ofMillis(200)))
        .listener(ChildJob.printingListener());
    switch (job) {
      case "ledger" -> {
        JdbcSinkBuilder<CrashJobs.Transfer> b = JdbcSink.<CrashJobs.Transfer>into(conn, "ledger")
            .name("ledger-" + mode).columns("account", "balance").key("account").accumulate("balance")
            .mapper(t -> new Object[] {t.account(), t.delta()});
        Sink<CrashJobs.Transfer> sink = switch (mode) {
          case "exactly-once" -> announcing(b.exactlyOnce());
          case "two-phase" -> announcing(b.twoPhase());
          default -> throw new IllegalArgumentException(mode);
        };
        paced(p, events, CrashJobs::transfer)
            .keyBy(CrashJobs.Transfer::account)
            .process(new PassThrough<String, CrashJobs.Transfer>())
            .sinkTo(sink);
      }
      case "payments" -> {
        JdbcSinkBuilder<CrashJobs.Payment> b = JdbcSink.<CrashJobs.Payment>into(conn, "payments")
            .columns("idempotency_key", "account", "amount_cents").key("idempotency_key")
            .mapper(x -> new Object[] {x.idempotencyKey(), x.account(), x.amountCents()});
        paced(p, events, CrashJobs::payment).sinkTo(mode.equals("upsert") ? b.upsert() : b.insertUnique());
      }
      case "clicks" -> {
        JdbcSinkBuilder<CrashJobs.Click> b = JdbcSink.<CrashJobs.Click>into(conn, "clicks")
            .columns("session_id", "event_timestamp_ms", "url").key("session_id", "event_timestamp_ms")
            .mapper(c -> new Object[] {c.sessionId(), c.eventTimestampMs(), c.url()});
        paced(p, events, CrashJobs::click).sinkTo(mode.equals("upsert") ? b.upsert() : b.insertUnique());
      }
      default -> throw new IllegalArgumentException(job);
    }
    ChildJob.runPrintingProgress(p, "PROGRESS", 1000);
    System.exit(0);
  }

  /** Spreads the input over a few seconds so that the kills land mid-run (a pace, not a synchronisation). */
  private static <T> DataStream<T> paced(Pipeline p, long events, java.util.function.LongFunction<T> fn) {
    return p.source(GeneratorSource.of(events, i -> {
      if (i % 16 == 0) {
        LockSupport.parkNanos(2_000_000);
      }
      return fn.apply(i);
    }));
  }

  static final class PassThrough<K, T> extends KeyedProcessFunction<K, T, T> {
    @Override
    public void processElement(T value, Context<K> ctx, Collector<T> out) {
      out.collect(value);
    }
  }

  /** Prints BARRIER n once a subtask prepared n: the kill tests aim kills between a barrier and completion. */
  static <T> TwoPhaseCommitSink<T> announcing(TwoPhaseCommitSink<T> sink) {
    return new TwoPhaseCommitSink<>() {
      @Override
      public String name() {
        return sink.name();
      }

      @Override
      public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception {
        return new ForwardingTwoPhaseCommitWriter<>(sink.createWriter(context)) {
          @Override
          public byte[] preCommit(long checkpointId) throws Exception {
            byte[] token = delegate.preCommit(checkpointId);
            System.out.println("BARRIER " + checkpointId);
            return token;
          }
        };
      }

      @Override
      public void commit(byte[] token) throws Exception {
        sink.commit(token);
      }

      @Override
      public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
        sink.abortLingering(context, recordedTokens);
      }
    };
  }
}
