package dev.onceflow.core.runtime;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.Source;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/** One node of the logical pipeline built by the DataStream API; compiled into stages by {@link JobGraph}. */
public sealed interface Transformation {
  /** The upstream node, or null for a source. */
  Transformation parent();

  /** Every upstream node (two for a connected co-process, several for a union, none for a source). */
  default java.util.List<Transformation> inputs() {
    Transformation p = parent();
    return p == null ? java.util.List.of() : java.util.List.of(p);
  }

  /** A source. */
  record SourceT(Source<?> source, WatermarkSpec watermarks) implements Transformation {
    @Override
    public Transformation parent() {
      return null;
    }
  }

  /** A one-to-one function. */
  record MapT(Transformation parent, Function<Object, Object> fn) implements Transformation {}

  /** A predicate; records for which it is false are dropped. */
  record FilterT(Transformation parent, Predicate<Object> fn) implements Transformation {}

  /** A one-to-many function. */
  record FlatMapT(Transformation parent, BiConsumer<Object, Collector<Object>> fn) implements Transformation {}

  /** Repartitions by key group: ends a stage. */
  record KeyByT(Transformation parent, Function<Object, Object> keyFn) implements Transformation {}

  /** A keyed process function; {@code factory} makes one instance per subtask. */
  record ProcessT(
      KeyByT parent, Supplier<KeyedProcessFunction<Object, Object, Object>> factory, String name)
      implements Transformation {}

  /**
   * A keyed two-input process function over two keyBy's of the same key type; {@code factory} makes one instance per
   * subtask. Input 1 is {@code first}, input 2 {@code second}.
   */
  record CoProcessT(
      KeyByT first,
      KeyByT second,
      Supplier<dev.onceflow.core.KeyedCoProcessFunction<Object, Object, Object, Object>> factory,
      String name)
      implements Transformation {
    @Override
    public Transformation parent() {
      return first;
    }

    @Override
    public java.util.List<Transformation> inputs() {
      return java.util.List.of(first, second);
    }
  }

  /** The records a process or co-process function emitted under {@code tagId} ({@code OutputTag}). */
  record SideOutputT(Transformation parent, String tagId) implements Transformation {}

  /** The union of several streams (anywhere in the pipeline). */
  record UnionT(java.util.List<Transformation> inputs) implements Transformation {
    @Override
    public Transformation parent() {
      return null;
    }
  }

  /** A sink: ends the pipeline. */
  record SinkT(Transformation parent, Sink<?> sink) implements Transformation {}

  /**
   * How a source's records get event-time watermarks.
   *
   * @param maxOutOfOrdernessMillis watermark = max timestamp seen - this - 1; negative = no watermarks
   * @param idleTimeoutMillis a reader with no data for this long is idle (does not hold back the watermark); 0 = never
   * @param fromReader the reader computes the watermark itself ({@code SourceReader.currentWatermark()}, e.g. a union)
   */
  record WatermarkSpec(long maxOutOfOrdernessMillis, long idleTimeoutMillis, boolean fromReader) {
    /** No watermarks except +infinity at end of input. */
    public static final WatermarkSpec NONE = new WatermarkSpec(-1, 0, false);

    /** The reader's own watermark. */
    public static final WatermarkSpec READER = new WatermarkSpec(0, 0, true);

    /** A strategy computed from record timestamps. */
    public WatermarkSpec(long maxOutOfOrdernessMillis, long idleTimeoutMillis) {
      this(maxOutOfOrdernessMillis, idleTimeoutMillis, false);
    }

    /** True if watermarks are generated. */
    public boolean enabled() {
      return maxOutOfOrdernessMillis >= 0;
    }
  }
}
