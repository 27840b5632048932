package dev.onceflow.verify;

import java.util.Arrays;
import java.util.List;
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
  CLICKS("clicks"),
  /**
   * Two outputs in one atomic checkpoint: orders reserve stock per item (rejected when the stock would go below
   * zero); an inventory changelog/table and an accepted/rejected event per order. See {@link OrdersJob}.
   */
  ORDERS("orders", List.of(OrdersJob.INVENTORY, OrdersJob.EVENTS)),
  /**
   * A two-input keyed operator: payments decided against the account limit in force at their event time, the limits
   * coming from a second stream; event-time timers decide once the watermark passed. See {@link PaymentLimitsJob}.
   */
  PAYMENTS_LIMITS("payments-limits");

  /** The name of the one output of a single-output job (its topic is {@code <job>-output}). */
  public static final String OUTPUT = "output";

  private final String cliName;
  private final List<String> outputs;

  Job(String cliName) {
    this(cliName, List.of(OUTPUT));
  }

  Job(String cliName, List<String> outputs) {
    this.cliName = cliName;
    this.outputs = outputs;
  }

  /**
   * The job's outputs, by name: {@link #OUTPUT} for the single-output jobs; orders has {@code inventory} and
   * {@code events}. Each output has its own topic ({@link JobRunSpec#outputTopic(Job, String)}), its own sink in the
   * child and its own {@link OutputStore} in the verifier; all sinks of a job are committed by the same checkpoints.
   */
  public List<String> outputs() {
    return outputs;
  }

  /**
   * Whether {@code output} is a table: records keyed by a table key, read as the last value per key (clicks; the
   * orders inventory, keyed by item). A database store can hold only table outputs.
   */
  public boolean isTable(String output) {
    return this == CLICKS || this == ORDERS && OrdersJob.INVENTORY.equals(output);
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
