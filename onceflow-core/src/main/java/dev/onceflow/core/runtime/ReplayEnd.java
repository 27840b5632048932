package dev.onceflow.core.runtime;

/**
 * AT_MOST_ONCE recovery marker: every record before it on a channel was a replayed record (read again only to rebuild
 * state, its output suppressed); everything after it is live. Each source subtask sends it once per attempt, possibly
 * right at the start when there is nothing to replay.
 */
public enum ReplayEnd implements StreamElement {
  /** The only instance. */
  INSTANCE
}
