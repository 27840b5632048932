package dev.onceflow.log;

import java.time.Duration;
import java.util.Objects;

/** Configuration of a whole log directory. Build with {@link #builder()}; {@link #defaults()} is safe. */
public final class LogConfig {
  private final FsyncPolicy fsyncPolicy;
  private final Duration maintenanceInterval;
  private final boolean readOnly;

  private LogConfig(Builder b) {
    this.fsyncPolicy = b.fsyncPolicy;
    this.maintenanceInterval = b.maintenanceInterval;
    this.readOnly = b.readOnly;
  }

  /** Defaults: {@link FsyncPolicy#EVERY_APPEND}, maintenance (retention, transaction timeouts) every second. */
  public static LogConfig defaults() {
    return builder().build();
  }

  /** A builder with the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** When appends are forced. */
  public FsyncPolicy fsyncPolicy() {
    return fsyncPolicy;
  }

  /** How often the background thread enforces retention and aborts timed-out transactions. */
  public Duration maintenanceInterval() {
    return maintenanceInterval;
  }

  /** Whether the log is opened read-only (see {@link Builder#readOnly(boolean)}). */
  public boolean readOnly() {
    return readOnly;
  }

  @Override
  public String toString() {
    return "LogConfig[fsyncPolicy=" + fsyncPolicy + ", maintenanceInterval=" + maintenanceInterval
        + (readOnly ? ", readOnly" : "") + "]";
  }

  /** Builds a validated {@link LogConfig}. */
  public static final class Builder {
    private FsyncPolicy fsyncPolicy = FsyncPolicy.EVERY_APPEND;
    private Duration maintenanceInterval = Duration.ofSeconds(1);
    private boolean readOnly;

    private Builder() {}

    /**
     * Opens the directory read-only (default false), for inspection ({@code onceflow log dump} and {@code stat}): no
     * file is created, truncated, written or forced, not even a torn tail (it is ignored, not cut) or the lock file;
     * recovery writes nothing, so transactions a crash left decided but without markers show as still open, and data
     * of unfinished transactions as unstable. Every write method throws {@link UnsupportedOperationException}. The
     * directory must exist, and must not be owned by a process that writes it: a shared lock on {@code LOCK} is
     * taken when the file exists, so opening fails with {@link LogLockedException} while a writer holds it.
     */
    public Builder readOnly(boolean readOnly) {
      this.readOnly = readOnly;
      return this;
    }

    /** Sets the fsync policy (default {@link FsyncPolicy#EVERY_APPEND}). */
    public Builder fsyncPolicy(FsyncPolicy policy) {
      this.fsyncPolicy = Objects.requireNonNull(policy, "fsyncPolicy");
      return this;
    }

    /** Sets how often retention and transaction timeouts are checked (default 1 s, at least 1 ms). */
    public Builder maintenanceInterval(Duration interval) {
      Objects.requireNonNull(interval, "maintenanceInterval");
      if (interval.toMillis() < 1) {
        throw new IllegalArgumentException("LogConfig.maintenanceInterval must be >= 1 ms, was " + interval);
      }
      this.maintenanceInterval = interval;
      return this;
    }

    /** The validated configuration. */
    public LogConfig build() {
      return new LogConfig(this);
    }
  }
}
