package dev.onceflow.core.sink;

/**
 * Where a pipeline's output goes. Implement one of the two kinds: {@link WriteThroughSink} (plain, or idempotent when
 * {@link #idempotent()} is true) or {@link TwoPhaseCommitSink} (transactional).
 *
 * <p>Under {@link dev.onceflow.core.Guarantee#EXACTLY_ONCE} a sink must be transactional or idempotent; a plain sink is
 * refused when the pipeline is built. Decorators are welcome (the verifier wraps sinks): delegate every method,
 * including {@link #idempotent()} and {@link #needsAlignedSnapshots()}.
 */
public interface Sink<T> {
  /** A short stable name, used in logs, errors, checkpoint files and transactional ids. */
  String name();

  /**
   * True if writing the same record twice has the same effect as writing it once (an upsert keyed by a
   * deterministic id with replacement semantics). Such a sink keeps EXACTLY_ONCE under replay.
   */
  default boolean idempotent() {
    return false;
  }

  /**
   * True if this sink's output is only right under {@link dev.onceflow.core.Guarantee#AT_LEAST_ONCE} when every
   * snapshot is consistent with the source positions it records (aligned barriers, as under EXACTLY_ONCE): a
   * write-through sink with replacement semantics whose values come from state (an upsert of window counts, running
   * totals). An unaligned at-least-once snapshot may hold records from past its positions, which the replay counts
   * again; the sink would then replace a right value with an overcount. When any sink of a pipeline answers true, an
   * AT_LEAST_ONCE job takes aligned snapshots (the sink stays write-through, so output may still repeat; replaced
   * values end exact). No effect under the other guarantees, whose snapshots are always aligned. Default false: a
   * plain at-least-once sink keeps the cheaper unaligned snapshots.
   */
  default boolean needsAlignedSnapshots() {
    return false;
  }
}
