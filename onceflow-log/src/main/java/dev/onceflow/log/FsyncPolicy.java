package dev.onceflow.log;

/**
 * When appended data is forced to stable storage. The policy decides when {@code send} returns, and so what an
 * acknowledgement promises.
 */
public sealed interface FsyncPolicy permits FsyncPolicy.EveryAppend, FsyncPolicy.EveryMillis, FsyncPolicy.Os {

  /**
   * Default. Every append is forced before it is acknowledged; concurrent appenders to a partition share one force
   * (group commit). Nothing acknowledged is lost by kill -9 or by power loss. Readers see only forced data.
   */
  FsyncPolicy EVERY_APPEND = new EveryAppend();

  /** Data is left to the operating system: survives kill -9 (page cache), may be lost on power loss. */
  FsyncPolicy OS = new Os();

  /**
   * A background thread forces dirty partitions every {@code millis} ms; appends are acknowledged before the force.
   * Survives kill -9; power loss may lose up to about {@code millis} ms of acknowledged data.
   */
  static FsyncPolicy everyMillis(long millis) {
    return new EveryMillis(millis);
  }

  /** See {@link #EVERY_APPEND}. */
  record EveryAppend() implements FsyncPolicy {}

  /** See {@link #OS}. */
  record Os() implements FsyncPolicy {}

  /**
   * See {@link #everyMillis(long)}.
   *
   * @param millis the force interval, at least 1
   */
  record EveryMillis(long millis) implements FsyncPolicy {
    /** Validates the interval. */
    public EveryMillis {
      if (millis < 1) {
        throw new IllegalArgumentException("FsyncPolicy.everyMillis needs an interval >= 1 ms, was " + millis);
      }
    }
  }
}
