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
 */
public record CheckResult(
    long effectsExpected, long outputRecords, long lost, long duplicated, boolean exact, List<String> problems) {

  /** Copies the problem list. */
  public CheckResult {
    problems = List.copyOf(problems);
  }

  /**
   * Whether this output keeps the promise of {@code guarantee}: EXACTLY_ONCE needs lost = 0, duplicated = 0 and an
   * exact output; AT_LEAST_ONCE needs lost = 0; AT_MOST_ONCE needs duplicated = 0.
   */
  public boolean promiseHeld(Guarantee guarantee) {
    return switch (guarantee) {
      case EXACTLY_ONCE -> lost == 0 && duplicated == 0 && exact;
      case AT_LEAST_ONCE -> lost == 0;
      case AT_MOST_ONCE -> duplicated == 0;
    };
  }
}
