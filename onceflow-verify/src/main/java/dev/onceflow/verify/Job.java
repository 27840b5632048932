package dev.onceflow.verify;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The verifier's jobs. Each one has a deterministic input (see {@link JobInputs}) and an expected output that the
 * {@link Checker} recomputes from that input alone, without the engine.
 */
public enum Job {
  /** Keyed state: per-account running balance and sequence number; one output per transfer. */
  LEDGER("ledger"),
  /** Event-time tumbling windows (1 hour, over an input spanning days) counting events per tag. */
  TAG_COUNT("tag-count"),
  /** Deduplication by payment id of an input that contains retries; one output per payment id. */
  PAYMENTS("payments"),
  /** An idempotent upsert sink keyed by (session id, event time): the output read as a table holds each click once. */
  CLICKS("clicks");

  private final String cliName;

  Job(String cliName) {
    this.cliName = cliName;
  }

  /** The name used on the command line, e.g. {@code tag-count}. */
  public String cliName() {
    return cliName;
  }

  /**
   * The job with this command-line name.
   *
   * @throws IllegalArgumentException naming the valid jobs if there is none
   */
  public static Job fromName(String name) {
    for (Job j : values()) {
      if (j.cliName.equals(name) || j.name().equalsIgnoreCase(name)) {
        return j;
      }
    }
    throw new IllegalArgumentException("unknown job '" + name + "': use one of "
        + Arrays.stream(values()).map(Job::cliName).collect(Collectors.joining(", ")));
  }
}
