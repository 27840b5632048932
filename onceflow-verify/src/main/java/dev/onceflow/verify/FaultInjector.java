package dev.onceflow.verify;

import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Seeded exceptions inside a running job (source poll, an operator, sink write, pre-commit and commit), so that the
 * job's in-process restart strategy is exercised together with the SIGKILLs. Each fault point throws
 * {@link InjectedFault} when a seeded hash of its call count falls under its rate; a process injects at most
 * {@code budget} faults, so a run always makes progress.
 *
 * <p>Thread-safe: counters are atomics (one increment per call; this wrapper is only used in --faults runs).
 */
public final class FaultInjector {
  /** Where a fault is injected. */
  public enum Point {
    /** In the source reader's poll. */
    SOURCE(1.0 / 200),
    /** In a map operator, per record. */
    OPERATOR(1.0 / 3000),
    /** In the sink's write, per record. */
    SINK_WRITE(1.0 / 3000),
    /** In the sink's pre-commit (prepare on the barrier). */
    PRE_COMMIT(1.0 / 8),
    /** In the sink's commit after a completed checkpoint. */
    COMMIT(1.0 / 8);

    private final double rate;

    Point(double rate) {
      this.rate = rate;
    }
  }

  /** The exception a fault point throws. */
  public static final class InjectedFault extends RuntimeException {
    private static final long serialVersionUID = 1L;

    InjectedFault(Point point, long call) {
      super("injected fault at " + point + " (call " + call + ")");
    }
  }

  private final long seed;
  private final AtomicInteger budget;
  private final AtomicLong[] calls = new AtomicLong[Point.values().length];
  private final AtomicInteger injected = new AtomicInteger();

  /** An injector with {@code seed} that throws at most {@code budget} times in this process. */
  public FaultInjector(long seed, int budget) {
    this.seed = seed;
    this.budget = new AtomicInteger(budget);
    for (int i = 0; i < calls.length; i++) {
      calls[i] = new AtomicLong();
    }
  }

  /** Faults injected so far. */
  public int injected() {
    return injected.get();
  }

  /** Throws {@link InjectedFault} if this call of {@code point} is one the seed picked and the budget allows. */
  public void maybeFail(Point point) {
    long call = calls[point.ordinal()].incrementAndGet();
    long h = mix(seed ^ (point.ordinal() * 0x9E3779B97F4A7C15L) ^ call);
    double u = (h >>> 11) * 0x1.0p-53;
    if (u < point.rate && budget.getAndDecrement() > 0) {
      injected.incrementAndGet();
      System.err.println("FaultInjector: " + point + " call " + call);
      throw new InjectedFault(point, call);
    }
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** {@code fn} with an OPERATOR fault point before it. */
  public <T, R> Function<T, R> operator(Function<T, R> fn) {
    return v -> {
      maybeFail(Point.OPERATOR);
      return fn.apply(v);
    };
  }

  /** {@code source} with a SOURCE fault point in each poll. */
  public <T> Source<T> source(Source<T> source) {
    return new ForwardingSource<>(source) {
      @Override
      public SourceReader<T> createReader(SourceContext context) throws Exception {
        SourceReader<T> r = super.createReader(context);
        return new ForwardingSourceReader<>(r) {
          @Override
          public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
            maybeFail(Point.SOURCE);
            return r.poll(output, maxRecords);
          }
        };
      }
    };
  }

  /** {@code sink} with SINK_WRITE faults (its idempotence is passed through). */
  public <T> WriteThroughSink<T> sink(WriteThroughSink<T> sink) {
    return new WriteThroughSink<>() {
      @Override
      public String name() {
        return sink.name();
      }

      @Override
      public boolean idempotent() {
        return sink.idempotent();
      }

      @Override
      public boolean needsAlignedSnapshots() {
        return sink.needsAlignedSnapshots();
      }

      @Override
      public SinkWriter<T> createWriter(SinkContext context) throws Exception {
        SinkWriter<T> w = sink.createWriter(context);
        return new SinkWriter<>() {
          @Override
          public void write(T record) throws Exception {
            maybeFail(Point.SINK_WRITE);
            w.write(record);
          }

          @Override
          public void flush() throws Exception {
            w.flush();
          }

          @Override
          public void endOfBatch() throws Exception {
            w.endOfBatch();
          }

          @Override
          public void close() throws Exception {
            w.close();
          }
        };
      }
    };
  }

  /**
   * {@code sink} with SINK_WRITE, PRE_COMMIT and COMMIT faults; its idempotence, alignment need and batched commit
   * ({@link TwoPhaseCommitSink#commitAll}) are passed through, so the wrapped sink runs as it would unwrapped.
   */
  public <T> TwoPhaseCommitSink<T> sink(TwoPhaseCommitSink<T> sink) {
    return new TwoPhaseCommitSink<>() {
      @Override
      public String name() {
        return sink.name();
      }

      @Override
      public boolean idempotent() {
        return sink.idempotent();
      }

      @Override
      public boolean needsAlignedSnapshots() {
        return sink.needsAlignedSnapshots();
      }

      @Override
      public void commitAll(List<byte[]> tokens) throws Exception {
        maybeFail(Point.COMMIT);
        sink.commitAll(tokens);
      }

      @Override
      public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception {
        TwoPhaseCommitWriter<T> w = sink.createWriter(context);
        return new ForwardingTwoPhaseCommitWriter<>(w) {
          @Override
          public void write(T record) throws Exception {
            maybeFail(Point.SINK_WRITE);
            w.write(record);
          }

          @Override
          public byte[] preCommit(long checkpointId) throws Exception {
            maybeFail(Point.PRE_COMMIT);
            return w.preCommit(checkpointId);
          }
        };
      }

      @Override
      public void commit(byte[] token) throws Exception {
        maybeFail(Point.COMMIT);
        sink.commit(token);
      }

      @Override
      public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
        sink.abortLingering(context, recordedTokens);
      }
    };
  }
}
