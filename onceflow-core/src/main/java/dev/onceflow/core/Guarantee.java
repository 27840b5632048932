package dev.onceflow.core;

/** The processing guarantee a pipeline promises, end to end, through failures and restarts. */
public enum Guarantee {
  /**
   * Source positions are committed durably before records are processed; after a failure nothing is replayed, so an
   * effect may be lost but is never repeated.
   */
  AT_MOST_ONCE(1),
  /** Replay from the last completed checkpoint without barrier alignment: nothing is lost, effects may repeat. */
  AT_LEAST_ONCE(2),
  /**
   * Aligned barriers plus transactional or idempotent sinks: every input has exactly one effect on state and on
   * committed output.
   */
  EXACTLY_ONCE(3);

  private final int id;

  Guarantee(int id) {
    this.id = id;
  }

  /**
   * The stable id written to disk (checkpoint metadata, job history) for this guarantee; never the ordinal, so
   * reordering or adding constants cannot make an old checkpoint read as another guarantee. 0 is reserved for
   * "unknown" (checkpoints written before the guarantee was recorded).
   */
  public int id() {
    return id;
  }

  /**
   * The guarantee with stable id {@code id}.
   *
   * @throws IllegalArgumentException if no guarantee has that id (a file written by a newer version, or corrupt)
   */
  public static Guarantee fromId(int id) {
    for (Guarantee g : values()) {
      if (g.id == id) {
        return g;
      }
    }
    throw new IllegalArgumentException("unknown guarantee id " + id + " (known: 1 = AT_MOST_ONCE, 2 = AT_LEAST_ONCE,"
        + " 3 = EXACTLY_ONCE); written by a newer Onceflow, or corrupt");
  }
}
