package dev.onceflow.core;

import dev.onceflow.core.window.AggregateFunction;
import dev.onceflow.core.window.Aggregations;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.core.window.WindowOperator;
import dev.onceflow.core.window.WindowResult;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BinaryOperator;
import java.util.function.Consumer;

/**
 * A keyed stream cut into event-time windows (see {@link KeyedStream#window}). Finish it with {@link #count()},
 * {@link #reduce} or {@link #aggregate}; each window emits one {@link WindowResult} when the watermark passes its end
 * (and again for each late record within the allowed lateness). At end of input the watermark goes to +infinity, so
 * every window fires.
 */
public final class WindowedStream<K, T> {
  private final KeyedStream<K, T> keyed;
  private final WindowAssigner assigner;
  private final long lateness;
  private final Consumer<? super T> lateData;
  private final OutputTag<T> lateTag;

  WindowedStream(KeyedStream<K, T> keyed, WindowAssigner assigner, long lateness, Consumer<? super T> lateData) {
    this(keyed, assigner, lateness, lateData, null);
  }

  private WindowedStream(KeyedStream<K, T> keyed, WindowAssigner assigner, long lateness, Consumer<? super T> lateData,
      OutputTag<T> lateTag) {
    this.keyed = keyed;
    this.assigner = assigner;
    this.lateness = lateness;
    this.lateData = lateData;
    this.lateTag = lateTag;
  }

  /** Keeps windows for {@code lateness} after they fired, re-firing them for late records (default 0). */
  public WindowedStream<K, T> allowedLateness(Duration lateness) {
    if (lateness.isNegative()) {
      throw new InvalidPipelineException("allowedLateness must not be negative, was " + lateness);
    }
    return new WindowedStream<>(keyed, assigner, lateness.toMillis(), lateData, lateTag);
  }

  /**
   * Late data as a side output: records too late for every window they belong to are emitted under {@code tag}; read
   * them with {@code result.sideOutput(tag)} on the stream {@link #count()}, {@link #reduce} or {@link #aggregate}
   * returns. That stream can go to any sink, a transactional one included, with the pipeline's guarantee (under
   * EXACTLY_ONCE each late record is committed once, in the same checkpoint as the window results of its input).
   */
  public WindowedStream<K, T> sideOutputLateData(OutputTag<T> tag) {
    return new WindowedStream<>(keyed, assigner, lateness, lateData, Objects.requireNonNull(tag, "tag"));
  }

  /**
   * Late data to a callback: records too late for every window they belong to are passed to {@code handler} on the
   * subtask thread (must be thread-safe and cheap). It is called again for a late record that is replayed after a
   * failure (at-least-once), since it is outside the sinks' transactions.
   *
   * @deprecated outside the checkpoints and transactions; use {@link #sideOutputLateData(OutputTag)} and a sink
   */
  @Deprecated
  public WindowedStream<K, T> sideOutputLateData(Consumer<? super T> handler) {
    return new WindowedStream<>(keyed, assigner, lateness, Objects.requireNonNull(handler, "handler"), lateTag);
  }

  /** Counts records per key and window. */
  public DataStream<WindowResult<K, Long>> count() {
    return aggregate(Aggregations.count());
  }

  /** Reduces records per key and window with an associative function. */
  public DataStream<WindowResult<K, T>> reduce(BinaryOperator<T> fn) {
    return aggregate(Aggregations.reduce(fn));
  }

  /** Aggregates records per key and window incrementally. */
  public <A, R> DataStream<WindowResult<K, R>> aggregate(AggregateFunction<T, A, R> fn) {
    Objects.requireNonNull(fn, "fn");
    WindowAssigner a = assigner;
    long l = lateness;
    Consumer<? super T> late = lateData;
    OutputTag<T> tag = lateTag;
    return keyed.process(() -> late != null
        ? new WindowOperator<K, T, A, R>(a, fn, l, late) : new WindowOperator<K, T, A, R>(a, fn, l, tag), "window");
  }
}
