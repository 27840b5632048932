package dev.onceflow.log;

import java.time.Duration;
import java.util.Objects;

/**
 * Configuration of a transactional producer.
 *
 * @param timeout an ONGOING transaction older than this is aborted by the log (PREPARED ones never time out)
 */
public record TransactionConfig(Duration timeout) {

  /** Default: 60 s timeout. */
  public static final TransactionConfig DEFAULT = new TransactionConfig(Duration.ofSeconds(60));

  /** Validates the timeout. */
  public TransactionConfig {
    Objects.requireNonNull(timeout, "timeout");
    if (timeout.toMillis() < 1) {
      throw new IllegalArgumentException("TransactionConfig.timeout must be >= 1 ms, was " + timeout);
    }
  }
}
