package dev.onceflow.verify;

/**
 * How the verifier spreads input positions over the input topic's partitions. The layout never changes what the
 * input is, only where each record lies, so the checker recomputes the expected output the same way (it needs the
 * layout only for the ledger's per-partition order).
 */
public enum InputLayout {
  /** Position i to partition i mod P: every partition the same size, every source subtask finishing together. */
  ROUND_ROBIN,
  /**
   * Sources that finish at very different times: partition 0 is sparse (1 % of the positions: i mod 100 = 0), the
   * last partition dense (60 %), the others share the rest. With two partitions: 1 % and 99 %.
   */
  SKEWED;

  /** The partition of input position {@code position} among {@code partitions}. */
  public int partitionOf(long position, int partitions) {
    if (this == ROUND_ROBIN || partitions == 1) {
      return (int) (position % partitions);
    }
    long r = position % 100;
    if (r == 0) {
      return 0;
    }
    if (partitions == 2 || r < 61) {
      return partitions - 1;
    }
    return 1 + (int) (position % (partitions - 2));
  }

  /** The name in options and reports. */
  public String cliName() {
    return this == ROUND_ROBIN ? "round-robin" : "skewed";
  }
}
