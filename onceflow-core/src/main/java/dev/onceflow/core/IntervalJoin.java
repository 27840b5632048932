package dev.onceflow.core;

import dev.onceflow.core.window.IntervalJoinOperator;
import java.time.Duration;
import java.util.Objects;

/**
 * An event-time interval join of two keyed streams ({@link KeyedStream#intervalJoin}), built on the keyed
 * co-process operator: it joins each left record with every right record of the same key whose timestamp lies in
 * {@code [left + lower, left + upper]}. Both sides are buffered in keyed state until the watermark (the minimum of
 * both inputs) passes the last time a partner could arrive, then dropped by an event-time timer; records behind the
 * watermark are still joined with what is buffered. Under EXACTLY_ONCE each pair is emitted, and committed, once.
 *
 * @param <K> key type
 * @param <L> left type
 * @param <R> right type
 */
public final class IntervalJoin<K, L, R> {
  private final KeyedStream<K, L> left;
  private final KeyedStream<K, R> right;
  private final long lower;
  private final long upper;

  IntervalJoin(KeyedStream<K, L> left, KeyedStream<K, R> right, long lower, long upper) {
    this.left = left;
    this.right = right;
    this.lower = lower;
    this.upper = upper;
  }

  /**
   * The interval, relative to the left record's timestamp: {@code lower} may be negative; both bounds inclusive.
   *
   * @throws InvalidPipelineException if {@code lower > upper}
   */
  public IntervalJoin<K, L, R> between(Duration lower, Duration upper) {
    long lo = lower.toMillis();
    long hi = upper.toMillis();
    if (lo > hi) {
      throw new InvalidPipelineException("intervalJoin: lower bound " + lower + " is above upper bound " + upper);
    }
    return new IntervalJoin<>(left, right, lo, hi);
  }

  /**
   * Joins with {@code fn} per pair.
   *
   * @throws InvalidPipelineException if {@link #between} was not called, or if {@code fn} is not serialisable
   */
  public <O> DataStream<O> process(ProcessJoinFunction<L, R, O> fn) {
    Objects.requireNonNull(fn, "fn");
    if (lower == Long.MIN_VALUE) {
      throw new InvalidPipelineException("intervalJoin: give the interval with between(lower, upper) first");
    }
    var copies = FunctionCopies.of(fn, "join function");
    long lo = lower;
    long hi = upper;
    return ConnectedStreams.keyed(left, right)
        .process(() -> new IntervalJoinOperator<K, L, R, O>(lo, hi, copies.get()), "interval-join");
  }
}
