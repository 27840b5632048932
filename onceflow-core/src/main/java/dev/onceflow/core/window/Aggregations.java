package dev.onceflow.core.window;

import java.util.function.BinaryOperator;

/** Built-in aggregate functions. */
public final class Aggregations {
  private Aggregations() {}

  /** Counts records. */
  public static <T> AggregateFunction<T, Long, Long> count() {
    return new Count<>();
  }

  /**
   * The built-in count, a named class so {@link WindowOperator} can recognise it and keep the count in a mutable
   * {@code long} of its window slot (no boxed Long per record); the accumulator it checkpoints is still a Long.
   */
  static final class Count<T> implements AggregateFunction<T, Long, Long> {
    private static final long serialVersionUID = 1L;

    @Override
    public Long createAccumulator() {
      return 0L;
    }

    @Override
    public Long add(T value, Long acc) {
      return acc + 1;
    }

    @Override
    public Long getResult(Long acc) {
      return acc;
    }

    @Override
    public Long merge(Long a, Long b) {
      return a + b;
    }
  }

  /** Reduces records with {@code fn} (associative); the result of an empty window is never emitted. */
  public static <T> AggregateFunction<T, T, T> reduce(BinaryOperator<T> fn) {
    return new AggregateFunction<>() {
      @Override
      public T createAccumulator() {
        return null;
      }

      @Override
      public T add(T value, T acc) {
        return acc == null ? value : fn.apply(acc, value);
      }

      @Override
      public T getResult(T acc) {
        return acc;
      }

      @Override
      public T merge(T a, T b) {
        return a == null ? b : b == null ? a : fn.apply(a, b);
      }
    };
  }
}
