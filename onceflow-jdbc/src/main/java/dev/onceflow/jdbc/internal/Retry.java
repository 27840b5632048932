package dev.onceflow.jdbc.internal;

import java.sql.SQLException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a database action again after a lost connection, with a doubling back-off, a bounded number of times. */
public final class Retry {
  private static final Logger LOG = LoggerFactory.getLogger(Retry.class);
  private static final long MAX_BACKOFF_MS = 5_000;

  /** How a retry waits (injected so tests need not wait on the wall clock). */
  @FunctionalInterface
  public interface Sleeper {
    /** Waits {@code millis}. */
    void sleep(long millis) throws InterruptedException;

    /** Thread.sleep. */
    Sleeper SYSTEM = Thread::sleep;
  }

  /** One attempt of the action. */
  @FunctionalInterface
  public interface Action<R> {
    /** Runs it once. */
    R run() throws Exception;
  }

  private Retry() {}

  /**
   * Runs {@code action}; on a connection loss ({@link SqlErrors#isConnectionLoss}) calls {@code onLoss} (close the
   * broken connection) and tries again, up to {@code spec.retries()} more times; then throws the last error.
   */
  public static <R> R onConnectionLoss(SinkSpec spec, String what, Action<R> action, Runnable onLoss)
      throws Exception {
    long backoff = Math.max(1, spec.retryBackoff().toMillis());
    for (int attempt = 0; ; attempt++) {
      try {
        return action.run();
      } catch (SQLException e) {
        if (!SqlErrors.isConnectionLoss(e) || attempt >= spec.retries()) {
          throw SqlErrors.fatalOr(spec, what, e);
        }
        onLoss.run();
        spec.metrics().recorder().retried();
        LOG.warn("Sink {}: {} lost its connection to {} (SQLSTATE {}: {}); retry {} of {} in {} ms", spec.name(),
            what, spec.connection(), SqlErrors.state(e), e.getMessage(), attempt + 1, spec.retries(), backoff);
        spec.sleeper().sleep(backoff);
        backoff = Math.min(MAX_BACKOFF_MS, backoff * 2);
      }
    }
  }

  /** A back-off of {@code d}. */
  static Duration of(long millis) {
    return Duration.ofMillis(millis);
  }
}
