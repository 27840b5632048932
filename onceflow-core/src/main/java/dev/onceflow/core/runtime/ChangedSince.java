package dev.onceflow.core.runtime;

import java.util.Arrays;

/**
 * The {@code long} ids (window namespaces, timer times) changed since the last snapshot, so the snapshot can reuse the
 * previous one's bytes for the others. At most {@value #MAX} are listed; beyond that, and before the first snapshot,
 * every id counts as changed. {@link #mark} costs one comparison for a run of one id (a window's records, a window's
 * timers), so the record path does not notice it. One thread (the task's).
 */
final class ChangedSince {
  static final int MAX = 32;

  private final long[] ids = new long[MAX];
  private int count;
  private boolean all = true;
  private long last;

  /** Records that {@code id} changed. */
  void mark(long id) {
    if (id == last && count > 0) {
      return;
    }
    last = id;
    if (all) {
      return;
    }
    for (int i = 0; i < count; i++) {
      if (ids[i] == id) {
        return;
      }
    }
    if (count == MAX) {
      all = true;
    } else {
      ids[count++] = id;
    }
  }

  /** The ids changed since the last call (null: all may have), and starts over: the snapshot's moment. */
  long[] take() {
    long[] changed = all ? null : Arrays.copyOf(ids, count);
    count = 0; // and last is stale: mark compares it only while the list is not empty
    all = false;
    return changed;
  }

  /** Whether {@code id} is in what {@link #take} returned (null: every id is). */
  static boolean contains(long[] changed, long id) {
    if (changed == null) {
      return true;
    }
    for (long c : changed) {
      if (c == id) {
        return true;
      }
    }
    return false;
  }
}
