package dev.onceflow.core;

/**
 * Called by an interval join ({@link KeyedStream#intervalJoin}) once per joined pair: a left and a right record with
 * equal keys whose timestamps satisfy {@code left + lower <= right <= left + upper}. Must be Serializable (a copy per
 * subtask); never called concurrently.
 *
 * @param <L> left type
 * @param <R> right type
 * @param <O> output type
 */
@FunctionalInterface
public interface ProcessJoinFunction<L, R, O> extends java.io.Serializable {
  /** Emits the output of one pair; the output carries the timestamp of the one of the two that arrived second. */
  void processElement(L left, R right, Collector<O> out) throws Exception;
}
