package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import java.util.List;

/**
 * What the {@link Checker} found in a job's committed output.
 *
 * @param effectsExpected the number of effects the input must have (ledger, payments, clicks: one per id; tag-count:
 *     one per event, i.e. the sum of the expected window counts)
 * @param outputRecords committed output records read (for clicks before folding into the table)
 * @param lost expected effects missing (ids without output; tag-count: the sum of undercounts)
 * @param duplicated extra effects (repeated ids, ids or windows that should not exist, overcounts, repeated windows)
 * @param exact the output equals the expected output exactly (see {@link Checker} for the ledger's definition)
 * @param problems the first few problems found, human-readable (empty when exact)
 * @param stateDuplicated state effects applied more than once, seen in the output even where each row was output once
 *     (ledger: seqs too high for the transfers that can have been applied; see {@link Checker}); 0 for the other jobs,
 *     whose state effects are their output (a window's count, a payment id)
 * @param stateLost state effects missing, seen in the output even where no row was lost (ledger: seqs too low)
 */
public record CheckResult(
    long effectsExpected, long outputRecords, long lost, long duplicated, boolean exact, List<String> problems,
    long stateDuplicated, long stateLost) {

  /** Copies the problem list. */
  public CheckResult {
    problems = List.copyOf(problems);
  }

  /** A result without state findings. */
  public CheckResult(long effectsExpected, long outputRecords, long lost, long duplicated, boolean exact,
      List<String> problems) {
    this(effectsExpected, outputRecords, lost, duplicated, exact, problems, 0, 0);
  }

  /**
   * Whether this output keeps the promise of {@code guarantee}, in the output and in the state effects it shows:
   * EXACTLY_ONCE needs nothing lost or duplicated, in either, and an exact output; AT_LEAST_ONCE needs lost = 0 and
   * stateLost = 0; AT_MOST_ONCE needs duplicated = 0 and stateDuplicated = 0.
   */
  public boolean promiseHeld(Guarantee guarantee) {
    return switch (guarantee) {
      case EXACTLY_ONCE -> lost == 0 && duplicated == 0 && stateLost == 0 && stateDuplicated == 0 && exact;
      case AT_LEAST_ONCE -> lost == 0 && stateLost == 0;
      case AT_MOST_ONCE -> duplicated == 0 && stateDuplicated == 0;
    };
  }
}
