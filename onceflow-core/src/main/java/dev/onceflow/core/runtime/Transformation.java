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

  /** The union of several streams rooted at sources (stateless operators only between source and union). */
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
