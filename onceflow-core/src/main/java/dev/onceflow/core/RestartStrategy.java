package dev.onceflow.core;

import java.time.Duration;
import java.util.Objects;

/** What the runtime does when an attempt fails: restart from the latest completed checkpoint, or give up. */
public sealed interface RestartStrategy {

  /** Never restart: the first failure fails the job. */
  static RestartStrategy noRestart() {
    return NoRestart.INSTANCE;
  }

  /**
   * Restart up to {@code maxRestarts} times, waiting {@code delay} before each restart.
   *
   * @throws IllegalArgumentException if maxRestarts is negative or delay is negative
   */
  static RestartStrategy fixedDelay(int maxRestarts, Duration delay) {
    return new FixedDelay(maxRestarts, delay);
  }

  /** How many restarts are allowed in total. */
  int maxRestarts();

  /** How long to wait before a restart. */
  Duration delay();

  /** The strategy that never restarts. */
  enum NoRestart implements RestartStrategy {
    INSTANCE;

    @Override
    public int maxRestarts() {
      return 0;
    }

    @Override
    public Duration delay() {
      return Duration.ZERO;
    }
  }

  /**
   * Restart at most {@code maxRestarts} times with a fixed delay.
   *
   * @param maxRestarts number of restarts allowed (0 = like noRestart)
   * @param delay wait before each restart
   */
  record FixedDelay(int maxRestarts, Duration delay) implements RestartStrategy {
    /** Validates the arguments. */
    public FixedDelay {
      Objects.requireNonNull(delay, "delay");
      if (maxRestarts < 0) {
        throw new IllegalArgumentException("maxRestarts must be >= 0, was " + maxRestarts);
      }
      if (delay.isNegative()) {
        throw new IllegalArgumentException("restart delay must not be negative, was " + delay);
      }
    }
  }
}
