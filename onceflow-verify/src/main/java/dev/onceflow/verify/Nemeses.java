package dev.onceflow.verify;

/**
 * The verifier's nemeses besides SIGKILL: what changes between restarts, and what else happens to a running job. All
 * seeded by the run's seed; every action is reported in {@link VerifyResult#events()}.
 *
 * @param rescale every restart runs with another parallelism (1 to max(2, partitions), up and down, before and after
 *     the first checkpoint). A rescaling the engine refuses by design (AT_MOST_ONCE after a checkpoint) is reported
 *     as refused and the run goes on with the previous parallelism
 * @param retention the input topic has small segments and a size limit; between restarts (once a checkpoint completed)
 *     the verifier runs retention on it. The input must still be processed completely: retention may only delete
 *     what every pipeline reading the topic has passed, or the engine must refuse loudly
 * @param guaranteeChange after a checkpoint completed, some restarts first try a child with another guarantee on the
 *     same directories: the engine must refuse it (a refusal is held, an accepted restore is a broken promise; an
 *     accepted child is killed at its first checkpoint), and the run goes on with the original guarantee
 * @param skewed the input layout is {@link InputLayout#SKEWED}: one partition sparse, one dense, so source subtasks
 *     finish at very different times
 * @param freezes this many times during the run, SIGSTOP the child and start a second instance on the same
 *     directories, then SIGCONT the first: the second must be refused or the first fenced
 */
public record Nemeses(boolean rescale, boolean retention, boolean guaranteeChange, boolean skewed, int freezes) {

  /** No nemesis but SIGKILL. */
  public static final Nemeses NONE = new Nemeses(false, false, false, false, 0);

  /** Validates. */
  public Nemeses {
    if (freezes < 0) {
      throw new IllegalArgumentException("--freezes must be >= 0, was " + freezes);
    }
  }

  /** Every nemesis, with {@code freezes} freezes. */
  public static Nemeses all(int freezes) {
    return new Nemeses(true, true, true, true, freezes);
  }

  /** With or without rescaling between restarts. */
  public Nemeses withRescale(boolean on) {
    return new Nemeses(on, retention, guaranteeChange, skewed, freezes);
  }

  /** With or without retention between restarts. */
  public Nemeses withRetention(boolean on) {
    return new Nemeses(rescale, on, guaranteeChange, skewed, freezes);
  }

  /** With or without restarts under another guarantee. */
  public Nemeses withGuaranteeChange(boolean on) {
    return new Nemeses(rescale, retention, on, skewed, freezes);
  }

  /** With or without the skewed input layout. */
  public Nemeses withSkewed(boolean on) {
    return new Nemeses(rescale, retention, guaranteeChange, on, freezes);
  }

  /** With this many freezes. */
  public Nemeses withFreezes(int n) {
    return new Nemeses(rescale, retention, guaranteeChange, skewed, n);
  }

  /** The input layout these nemeses ask for. */
  public InputLayout layout() {
    return skewed ? InputLayout.SKEWED : InputLayout.ROUND_ROBIN;
  }

  /** A short description, e.g. "rescale,retention,freeze x1", or "none". */
  @Override
  public String toString() {
    StringBuilder b = new StringBuilder();
    if (rescale) {
      b.append("rescale,");
    }
    if (retention) {
      b.append("retention,");
    }
    if (guaranteeChange) {
      b.append("guarantee-change,");
    }
    if (skewed) {
      b.append("skewed,");
    }
    if (freezes > 0) {
      b.append("freeze x").append(freezes).append(',');
    }
    return b.length() == 0 ? "none" : b.substring(0, b.length() - 1);
  }
}
