package dev.onceflow.core;

/** The processing guarantee a pipeline promises, end to end, through failures and restarts. */
public enum Guarantee {
  /**
   * Source positions are committed durably before records are processed; after a failure nothing is replayed, so an
   * effect may be lost but is never repeated.
   */
  AT_MOST_ONCE,
  /** Replay from the last completed checkpoint without barrier alignment: nothing is lost, effects may repeat. */
  AT_LEAST_ONCE,
  /**
   * Aligned barriers plus transactional or idempotent sinks: every input has exactly one effect on state and on
   * committed output.
   */
  EXACTLY_ONCE
}
