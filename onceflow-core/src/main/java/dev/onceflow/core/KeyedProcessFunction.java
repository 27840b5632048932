package dev.onceflow.core;

import dev.onceflow.core.state.KeyedStateStore;

/**
 * User logic on a {@link KeyedStream}: called once per record with that record's key as the scope of keyed state, and
 * once per fired event-time timer. Each parallel subtask gets its own copy (made by Java serialisation of the
 * instance given to {@link KeyedStream#process(KeyedProcessFunction)}, or by a factory); never called concurrently.
 *
 * @param <K> key type
 * @param <I> input type
 * @param <O> output type
 */
public abstract class KeyedProcessFunction<K, I, O> implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Creates keyed state; called once per subtask before any record, and before state is restored. */
  public void open(KeyedStateStore state) throws Exception {}

  /** Processes one record; {@code ctx.currentKey()} is its key. */
  public abstract void processElement(I value, Context<K> ctx, Collector<O> out) throws Exception;

  /** Called when an event-time timer of {@code ctx.currentKey()} fires (the watermark passed {@code timestamp}). */
  public void onTimer(long timestamp, Context<K> ctx, Collector<O> out) throws Exception {}

  /** The scope of one call. */
  public interface Context<K> {
    /** The key of the record or timer being processed. */
    K currentKey();

    /** The record's event timestamp (or the timer's time in onTimer); Long.MIN_VALUE if the record has none. */
    long timestamp();

    /** The operator's current event-time watermark. */
    long currentWatermark();

    /** Registers an event-time timer for the current key (idempotent per key and time). Checkpointed. */
    void registerEventTimeTimer(long time);

    /** Deletes a timer of the current key, if registered. */
    void deleteEventTimeTimer(long time);

    /**
     * Emits {@code value} to the side output {@code tag} (read it with {@link DataStream#sideOutput}), with the current
     * record's (or timer's) timestamp. Same guarantee as the main output: it is in the checkpoints like any record.
     */
    default <X> void output(OutputTag<X> tag, X value) {
      throw new UnsupportedOperationException("this context has no side outputs");
    }
  }
}
