package dev.onceflow.core;

import dev.onceflow.core.runtime.Transformation;
import dev.onceflow.core.sink.Sink;
import java.util.Objects;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * A stream of records of type {@code T}. Operators return new streams; stateless ones (map, filter, flatMap) are
 * chained into the same subtask as their input, so they cost a method call per record. Functions run on subtask
 * threads, one call at a time per subtask; shared captured objects must be thread-safe.
 */
public final class DataStream<T> {
  final Pipeline pipeline;
  final Transformation node;

  DataStream(Pipeline pipeline, Transformation node) {
    this.pipeline = pipeline;
    this.node = node;
  }

  /** One output per input. */
  @SuppressWarnings("unchecked")
  public <R> DataStream<R> map(Function<? super T, ? extends R> fn) {
    Objects.requireNonNull(fn, "fn");
    return new DataStream<>(pipeline, new Transformation.MapT(node, (Function<Object, Object>) fn));
  }

  /** Keeps records for which {@code fn} is true. */
  @SuppressWarnings("unchecked")
  public DataStream<T> filter(Predicate<? super T> fn) {
    Objects.requireNonNull(fn, "fn");
    return new DataStream<>(pipeline, new Transformation.FilterT(node, (Predicate<Object>) fn));
  }

  /** Zero or more outputs per input, emitted through the collector. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  public <R> DataStream<R> flatMap(BiConsumer<? super T, Collector<R>> fn) {
    Objects.requireNonNull(fn, "fn");
    return new DataStream<>(pipeline, new Transformation.FlatMapT(node, (BiConsumer) fn));
  }

  /**
   * Partitions the stream by key: all records with equal keys (equals/hashCode) go to the same subtask, where keyed
   * state and timers are scoped to the key. Keys must be non-null, deterministic and Serializable (or a built-in type).
   */
  @SuppressWarnings("unchecked")
  public <K> KeyedStream<K, T> keyBy(Function<? super T, ? extends K> keyFn) {
    Objects.requireNonNull(keyFn, "keyFn");
    return new KeyedStream<>(pipeline, new Transformation.KeyByT(node, (Function<Object, Object>) keyFn));
  }

  /**
   * Merges this stream with others of the same type into one stream. Any streams of the pipeline can be united:
   * sources and what follows them, keyed operators' outputs, side outputs. A union of streams that are each a source
   * plus map/filter/flatMap is read as one source (each branch keeps its own watermark strategy); a union of streams
   * computed in different stages runs as its own stage, each subtask receiving its inputs' subtasks of the same index.
   * The union's watermark is the minimum of its inputs'. Checkpoints cover every input.
   */
  @SafeVarargs
  public final DataStream<T> union(DataStream<T>... others) {
    java.util.List<Transformation> inputs = new java.util.ArrayList<>();
    inputs.add(node);
    for (DataStream<T> o : others) {
      if (o.pipeline != pipeline) {
        throw new InvalidPipelineException("union: streams of different pipelines cannot be united");
      }
      inputs.add(o.node);
    }
    return new DataStream<>(pipeline, new Transformation.UnionT(java.util.List.copyOf(inputs)));
  }

  /**
   * Connects this stream with {@code other} for a two-input operator: key both with {@link ConnectedStreams#keyBy}
   * and process them with a {@link KeyedCoProcessFunction}.
   */
  public <U> ConnectedStreams<T, U> connect(DataStream<U> other) {
    Objects.requireNonNull(other, "other");
    if (other.pipeline != pipeline) {
      throw new InvalidPipelineException("connect: streams of different pipelines cannot be connected");
    }
    return new ConnectedStreams<>(this, other);
  }

  /**
   * The records the process function that made this stream emitted under {@code tag} ({@code ctx.output(tag, v)}),
   * as a stream of its own: it can be mapped, keyed, united or sunk like any stream, into a transactional sink too,
   * with the same guarantee as the main output. For windows, the late data ({@link WindowedStream#sideOutputLateData(
   * OutputTag)}) is read this way from the window's result stream.
   *
   * @throws InvalidPipelineException if this stream is not the output of process, a window, or a co-process
   */
  public <X> DataStream<X> sideOutput(OutputTag<X> tag) {
    Objects.requireNonNull(tag, "tag");
    if (!(node instanceof Transformation.ProcessT || node instanceof Transformation.CoProcessT)) {
      throw new InvalidPipelineException("sideOutput(" + tag.id() + "): only the output stream of a keyed process"
          + " function, a window or a co-process has side outputs (this stream is made by "
          + node.getClass().getSimpleName().replace("T", "") + ")");
    }
    return new DataStream<>(pipeline, new Transformation.SideOutputT(node, tag.id()));
  }

  /**
   * Drops records whose id ({@code idFn}) was already seen within {@code ttl} of event time. The seen ids are keyed,
   * checkpointed state; the output is partitioned by id.
   */
  public <I> DataStream<T> deduplicate(Function<? super T, ? extends I> idFn, java.time.Duration ttl) {
    if (ttl.isNegative() || ttl.isZero()) {
      throw new InvalidPipelineException("deduplicate ttl must be positive, was " + ttl);
    }
    long ms = ttl.toMillis();
    KeyedStream<Object, T> keyed = keyBy(idFn::apply);
    return keyed.process(() -> new dev.onceflow.core.window.Deduplicate<Object, T>(ms), "deduplicate");
  }

  /**
   * Writes this stream to {@code sink}. A pipeline may have any number of sinks, and a stream may go to several sinks
   * and feed several other operators (each record goes to each of them). All sinks share the pipeline's checkpoints:
   * see {@link Pipeline} for what that guarantees across sinks.
   *
   * @return the pipeline, to start it or to add more
   * @throws InvalidPipelineException if the pipeline asks for EXACTLY_ONCE and the sink is neither transactional nor
   *     idempotent, or if the pipeline already has a sink of the same name
   */
  public Pipeline sinkTo(Sink<? super T> sink) {
    Objects.requireNonNull(sink, "sink");
    pipeline.addSink(new Transformation.SinkT(node, sink));
    return pipeline;
  }
}
