package dev.onceflow.core.window;

import java.io.Serializable;

/**
 * Incremental aggregation of a window: records are folded into an accumulator as they arrive, so a window's state is
 * one accumulator, not its records. Accumulators are checkpointed (built-in types or Serializable) and must be treated
 * as immutable: return a new one from add/merge.
 *
 * @param <T> input
 * @param <A> accumulator
 * @param <R> result
 */
public interface AggregateFunction<T, A, R> extends Serializable {
  /** The accumulator of an empty window. */
  A createAccumulator();

  /** Folds one record in. */
  A add(T value, A accumulator);

  /** The window's result. */
  R getResult(A accumulator);

  /** Combines two accumulators (session windows merge). */
  A merge(A a, A b);
}
