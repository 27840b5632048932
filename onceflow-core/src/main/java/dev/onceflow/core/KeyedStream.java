package dev.onceflow.core;

import dev.onceflow.core.runtime.Transformation;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A stream partitioned by key (see {@link DataStream#keyBy}). Keyed operators keep state per key, checkpointed per key
 * group.
 */
public final class KeyedStream<K, T> {
  final Pipeline pipeline;
  final Transformation.KeyByT node;

  KeyedStream(Pipeline pipeline, Transformation.KeyByT node) {
    this.pipeline = pipeline;
    this.node = node;
  }

  /**
   * Applies a keyed process function. Each subtask gets its own copy, made by Java serialisation of {@code fn}: its
   * fields must be Serializable (state handles are created in open(), not in the constructor).
   *
   * @throws InvalidPipelineException if {@code fn} cannot be copied; use {@link #process(Supplier)} then
   */
  public <R> DataStream<R> process(KeyedProcessFunction<K, T, R> fn) {
    Objects.requireNonNull(fn, "fn");
    byte[] bytes;
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
        oos.writeObject(fn);
      }
      bytes = out.toByteArray();
    } catch (IOException e) {
      throw new InvalidPipelineException(
          "keyed process function " + fn.getClass().getName() + " cannot be copied for each subtask (" + e
              + "): make its fields Serializable or pass a factory with process(() -> new ...)");
    }
    String name = fn.getClass().getSimpleName();
    return process(() -> copy(bytes, name), name);
  }

  /** Applies a keyed process function made by {@code factory}, called once per subtask. */
  public <R> DataStream<R> process(Supplier<? extends KeyedProcessFunction<K, T, R>> factory) {
    Objects.requireNonNull(factory, "factory");
    return process(factory, "process");
  }

  /**
   * An event-time interval join with {@code other} (keyed by the same key type): give the interval with {@link
   * IntervalJoin#between}, then the join function with {@link IntervalJoin#process}. Built on the two-input keyed
   * operator ({@link ConnectedKeyedStreams}), with its guarantees.
   */
  public <R> IntervalJoin<K, T, R> intervalJoin(KeyedStream<K, R> other) {
    Objects.requireNonNull(other, "other");
    if (other.pipeline != pipeline) {
      throw new InvalidPipelineException("intervalJoin: streams of different pipelines cannot be joined");
    }
    return new IntervalJoin<>(this, other, Long.MIN_VALUE, Long.MIN_VALUE);
  }

  /** Cuts the stream into event-time windows per key. */
  public WindowedStream<K, T> window(dev.onceflow.core.window.WindowAssigner assigner) {
    return new WindowedStream<>(this, Objects.requireNonNull(assigner, "assigner"), 0, null);
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  <R> DataStream<R> process(Supplier<? extends KeyedProcessFunction<K, T, R>> factory, String name) {
    return new DataStream<>(pipeline, new Transformation.ProcessT(node, (Supplier) factory, name));
  }

  @SuppressWarnings("unchecked")
  private static <F> F copy(byte[] bytes, String name) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (F) in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("cannot copy keyed process function " + name, e);
    }
  }
}
