package dev.onceflow.jdbc.internal;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * When a write of the conflict-handling modes (upsert, insert-unique, accumulate) first tries a plain INSERT.
 *
 * <p>Why: {@code INSERT ... ON CONFLICT} costs PostgreSQL about 2 µs of CPU per row more than a plain INSERT (its
 * speculative insertion probes the unique index before inserting, then confirms; measured 5.2-5.5 against 3.1-3.2
 * µs/row of server CPU for fresh 100-byte rows, with VALUES, unnest and DO NOTHING alike). For a batch whose keys are
 * all new, a plain INSERT writes exactly what the ON CONFLICT statement would. So a batch with distinct keys is sent
 * as a plain INSERT first; if it hits a unique violation (23505), the work since the batch began is rolled back and
 * the batch is written with the ON CONFLICT statement, which gives the table the same final state as ever.
 *
 * <p>A workload that updates existing keys would pay for a failed attempt on every batch, so after a conflict the
 * next batches skip the attempt: 1, then 2, 4, ... up to {@link #MAX_SKIP} batches while conflicts keep coming; a
 * successful attempt resets the back-off. At worst one batch in {@code MAX_SKIP + 1} is sent twice (a fraction of it,
 * up to its first conflict). Shared by the threads applying a sink's checkpoints, so it is lock-free; a lost update
 * of the counters only changes when the next attempt is made.
 */
final class OptimisticInserts {
  static final int MAX_SKIP = 64;
  /** Test-only switch: never try the plain INSERT (to compare, and to show what the tests catch without it). */
  static final boolean DISABLED = "off".equals(System.getProperty("onceflow.jdbc.optimistic"));

  private final AtomicInteger skip = new AtomicInteger();
  private final AtomicInteger backoff = new AtomicInteger(1);

  /** True if this batch should try the plain INSERT first. */
  boolean attempt() {
    if (DISABLED) {
      return false;
    }
    int s = skip.get();
    if (s > 0) {
      skip.compareAndSet(s, s - 1);
      return false;
    }
    return true;
  }

  /** The plain INSERT wrote the batch. */
  void succeeded() {
    backoff.set(1);
  }

  /** The plain INSERT hit an existing key: skip the next attempts, for longer each time. */
  void conflicted() {
    int b = backoff.get();
    skip.set(b);
    backoff.set(Math.min(MAX_SKIP, b * 2));
  }
}
