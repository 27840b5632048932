package dev.onceflow.core.source;

import java.util.Objects;
import java.util.function.LongFunction;
import java.util.function.LongUnaryOperator;

/**
 * A deterministic bounded source: event {@code i} is {@code fn(i)} for i in [0, count). Subtask s of P reads the
 * contiguous index range [count*s/P, count*(s+1)/P); its position is the next index. Replay gives the same events.
 */
public final class GeneratorSource<T> implements Source<T> {
  private final long count;
  private final LongFunction<T> fn;
  private final LongUnaryOperator timestamp;

  private GeneratorSource(long count, LongFunction<T> fn, LongUnaryOperator timestamp) {
    if (count < 0) {
      throw new IllegalArgumentException("count must be >= 0, was " + count);
    }
    this.count = count;
    this.fn = Objects.requireNonNull(fn, "fn");
    this.timestamp = timestamp;
  }

  /** A source of {@code count} events, event i = fn(i), without event timestamps. */
  public static <T> GeneratorSource<T> of(long count, LongFunction<T> fn) {
    return new GeneratorSource<>(count, fn, null);
  }

  /** The same source where event i carries event timestamp {@code timestampFn(i)} (epoch millis). */
  public GeneratorSource<T> withTimestamps(LongUnaryOperator timestampFn) {
    return new GeneratorSource<>(count, fn, Objects.requireNonNull(timestampFn, "timestampFn"));
  }

  /** The number of events. */
  public long count() {
    return count;
  }

  @Override
  public String name() {
    return "generator";
  }

  @Override
  public SourceReader<T> createReader(SourceContext context) {
    if (timestamp == null) {
      return new IndexRangeReader<>(context, count) {
        @Override
        void emit(long i, SourceOutput<T> out) {
          out.collect(fn.apply(i));
        }
      };
    }
    return new IndexRangeReader<>(context, count) {
      @Override
      void emit(long i, SourceOutput<T> out) {
        out.collect(fn.apply(i), timestamp.applyAsLong(i));
      }
    };
  }
}
