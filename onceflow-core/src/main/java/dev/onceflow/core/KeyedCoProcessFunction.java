package dev.onceflow.core;

import dev.onceflow.core.state.KeyedStateStore;

/**
 * User logic over two keyed streams with the same key ({@code a.connect(b).keyBy(ka, kb).process(fn)}): records of
 * both inputs with equal keys reach the same subtask and share its keyed state and event-time timers. Each parallel
 * subtask gets its own copy (Java serialisation of the instance, or a factory); never called concurrently.
 *
 * <p>Under EXACTLY_ONCE the operator's barriers are aligned across both inputs (a checkpoint holds exactly the records
 * of both inputs before the cut), so state and output are exact after a failure; under AT_LEAST_ONCE they are not
 * (records after the cut may be replayed). Its watermark is the minimum of both inputs' watermarks (an idle input does
 * not hold it back; an ended one counts as +infinity). The order in which the two inputs' records interleave is not
 * deterministic: output that depends on it can differ between a run and its replay (exactly-once then still means one
 * committed effect per input, of the run that committed).
 *
 * @param <K> key type
 * @param <I1> first input's type
 * @param <I2> second input's type
 * @param <O> output type
 */
public abstract class KeyedCoProcessFunction<K, I1, I2, O> implements java.io.Serializable {
  private static final long serialVersionUID = 1L;

  /** Creates keyed state; called once per subtask before any record, and before state is restored. */
  public void open(KeyedStateStore state) throws Exception {}

  /** Processes a record of the first input; {@code ctx.currentKey()} is its key. */
  public abstract void processElement1(I1 value, KeyedProcessFunction.Context<K> ctx, Collector<O> out)
      throws Exception;

  /** Processes a record of the second input; {@code ctx.currentKey()} is its key. */
  public abstract void processElement2(I2 value, KeyedProcessFunction.Context<K> ctx, Collector<O> out)
      throws Exception;

  /** Called when an event-time timer of {@code ctx.currentKey()} fires (the watermark passed {@code timestamp}). */
  public void onTimer(long timestamp, KeyedProcessFunction.Context<K> ctx, Collector<O> out) throws Exception {}
}
