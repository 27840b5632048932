package dev.onceflow.core;

import java.util.Objects;
import java.util.function.Function;

/**
 * Two streams connected for a two-input operator ({@link DataStream#connect}). Key both sides with {@link #keyBy}: a
 * keyed co-process function sees the records of both inputs with equal keys in the same subtask.
 *
 * @param <A> first input's type
 * @param <B> second input's type
 */
public final class ConnectedStreams<A, B> {
  private final DataStream<A> first;
  private final DataStream<B> second;

  ConnectedStreams(DataStream<A> first, DataStream<B> second) {
    this.first = first;
    this.second = second;
  }

  /**
   * Partitions both inputs by key, {@code firstKey} for the first, {@code secondKey} for the second; keys of both
   * must be of the same type and equal (equals/hashCode) where they should meet. Same rules as {@link
   * DataStream#keyBy}.
   */
  public <K> ConnectedKeyedStreams<K, A, B> keyBy(
      Function<? super A, ? extends K> firstKey, Function<? super B, ? extends K> secondKey) {
    Objects.requireNonNull(firstKey, "firstKey");
    Objects.requireNonNull(secondKey, "secondKey");
    return new ConnectedKeyedStreams<>(first.keyBy(firstKey), second.keyBy(secondKey));
  }

  /** Connects two streams that are already keyed (e.g. by {@link KeyedStream#intervalJoin}). */
  static <K, A, B> ConnectedKeyedStreams<K, A, B> keyed(KeyedStream<K, A> a, KeyedStream<K, B> b) {
    return new ConnectedKeyedStreams<>(a, b);
  }
}
