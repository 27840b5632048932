package dev.onceflow.core;

import dev.onceflow.core.runtime.Transformation;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Two streams keyed by the same key type ({@link ConnectedStreams#keyBy}), ready for a {@link
 * KeyedCoProcessFunction}: one operator with both inputs, shared keyed state and event-time timers, checkpointed
 * with barriers aligned across both inputs under EXACTLY_ONCE.
 *
 * @param <K> key type
 * @param <A> first input's type
 * @param <B> second input's type
 */
public final class ConnectedKeyedStreams<K, A, B> {
  private final KeyedStream<K, A> first;
  private final KeyedStream<K, B> second;

  ConnectedKeyedStreams(KeyedStream<K, A> first, KeyedStream<K, B> second) {
    if (first.pipeline != second.pipeline) {
      throw new InvalidPipelineException("connect: streams of different pipelines cannot be connected");
    }
    this.first = first;
    this.second = second;
  }

  /**
   * Applies {@code fn} to both inputs. Each subtask gets its own copy, made by Java serialisation of {@code fn}.
   *
   * @throws InvalidPipelineException if {@code fn} cannot be copied; use {@link #process(Supplier)} then
   */
  public <R> DataStream<R> process(KeyedCoProcessFunction<K, A, B, R> fn) {
    Objects.requireNonNull(fn, "fn");
    return process(FunctionCopies.of(fn, "keyed co-process function"), fn.getClass().getSimpleName());
  }

  /** Applies a keyed co-process function made by {@code factory}, called once per subtask. */
  public <R> DataStream<R> process(Supplier<? extends KeyedCoProcessFunction<K, A, B, R>> factory) {
    Objects.requireNonNull(factory, "factory");
    return process(factory, "co-process");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  <R> DataStream<R> process(Supplier<? extends KeyedCoProcessFunction<K, A, B, R>> factory, String name) {
    return new DataStream<>(first.pipeline,
        new Transformation.CoProcessT(first.node, second.node, (Supplier) factory, name));
  }
}
