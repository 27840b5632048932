package dev.onceflow.core.sink;

/**
 * Where a pipeline's output goes. Implement one of the two kinds: {@link WriteThroughSink} (plain, or idempotent when
 * {@link #idempotent()} is true) or {@link TwoPhaseCommitSink} (transactional).
 *
 * <p>Under {@link dev.onceflow.core.Guarantee#EXACTLY_ONCE} a sink must be transactional or idempotent; a plain sink is
 * refused when the pipeline is built. Decorators are welcome (the verifier wraps sinks): delegate every method,
 * including {@link #idempotent()}.
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
}
