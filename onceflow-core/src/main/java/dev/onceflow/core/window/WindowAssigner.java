package dev.onceflow.core.window;

import java.time.Duration;

/** Event-time windows: which windows a record with timestamp t belongs to. */
public sealed interface WindowAssigner {
  /** Fixed, non-overlapping windows [k*size, (k+1)*size). */
  static WindowAssigner tumbling(Duration size) {
    return new Tumbling(positive(size, "size"));
  }

  /** Windows of {@code size} starting every {@code slide}; a record belongs to size/slide windows. */
  static WindowAssigner sliding(Duration size, Duration slide) {
    long s = positive(size, "size");
    long sl = positive(slide, "slide");
    if (sl > s) {
      throw new IllegalArgumentException("slide (" + sl + " ms) must not exceed size (" + s + " ms)");
    }
    return new Sliding(s, sl);
  }

  /** Per-key sessions: records closer than {@code gap} to each other fall into one window [first, last + gap). */
  static WindowAssigner session(Duration gap) {
    return new Session(positive(gap, "gap"));
  }

  private static long positive(Duration d, String what) {
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException("window " + what + " must be positive, was " + d);
    }
    return d.toMillis();
  }

  /** Tumbling windows of {@code sizeMillis}. */
  record Tumbling(long sizeMillis) implements WindowAssigner {}

  /** Sliding windows. */
  record Sliding(long sizeMillis, long slideMillis) implements WindowAssigner {}

  /** Session windows. */
  record Session(long gapMillis) implements WindowAssigner {}
}
