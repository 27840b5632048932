package dev.onceflow.core.checkpoint;

import dev.onceflow.core.Guarantee;
import java.util.Optional;

/**
 * Which guarantee's snapshot (and run) can serve a job under which guarantee. Rows: what the checkpoint directory
 * holds (the guarantee of its latest checkpoint, and of the last job started on it); columns: the new job.
 *
 * <pre>
 * from \ to        AT_MOST_ONCE  AT_LEAST_ONCE  EXACTLY_ONCE
 * AT_MOST_ONCE     yes           yes            no
 * AT_LEAST_ONCE    no            yes            no
 * EXACTLY_ONCE     no            yes            yes
 * unknown          no            yes            no
 * </pre>
 *
 * <ul>
 *   <li>Any snapshot can serve AT_LEAST_ONCE: replay from its positions loses nothing, repeats are allowed.
 *   <li>AT_LEAST_ONCE cannot serve EXACTLY_ONCE or AT_MOST_ONCE: its barriers are usually not aligned, so its state
 *       may hold records after its source positions (counted again on replay), and its write-through output past the
 *       snapshot would be written again. An at-least-once job with aligned snapshots ({@code
 *       Sink.needsAlignedSnapshots()}, {@code Pipeline.alignedSnapshots}) records AT_LEAST_ONCE all the same: the
 *       alignment fixes the state, not the output, which went write-through past the snapshot.
 *   <li>AT_MOST_ONCE cannot serve EXACTLY_ONCE: its output went straight through, past the snapshot, and an
 *       exactly-once replay from the snapshot would write it a second time.
 *   <li>EXACTLY_ONCE cannot serve AT_MOST_ONCE: at-most-once resumes from per-subtask committed positions
 *       ({@code positions/}) that only an at-most-once run keeps up to date; ones left by an earlier at-most-once run
 *       are older than the snapshot and would make its suppressed replay end in the wrong place.
 *   <li>unknown (a checkpoint of metadata version 1 or 2, written before the guarantee was recorded): only what every
 *       row allows, AT_LEAST_ONCE.
 * </ul>
 */
public final class GuaranteeCompatibility {
  private GuaranteeCompatibility() {}

  /** True if a snapshot taken (or a run made) under {@code from} (null: unknown) can serve {@code to}. */
  public static boolean canServe(Guarantee from, Guarantee to) {
    return to == Guarantee.AT_LEAST_ONCE || from == to;
  }

  /** Why {@code from} cannot serve {@code to}, or empty if it can. */
  public static Optional<String> whyNot(Guarantee from, Guarantee to) {
    if (canServe(from, to)) {
      return Optional.empty();
    }
    if (from == null) {
      return Optional.of("it was written by an older Onceflow that did not record its guarantee, and only"
          + " AT_LEAST_ONCE can be served by a snapshot of any guarantee");
    }
    return Optional.of(switch (from) {
      case AT_LEAST_ONCE -> "an at-least-once snapshot may not be aligned (its state may hold records after its"
          + " source positions, which a replay counts again), and even an aligned one let its output go write-through"
          + " past the snapshot, which a replay would write again";
      case AT_MOST_ONCE -> "at-most-once output was written straight through, past the snapshot, and a replay from"
          + " the snapshot would write it a second time";
      case EXACTLY_ONCE -> "at-most-once resumes from per-subtask committed positions that only an at-most-once run"
          + " keeps up to date";
    });
  }
}
