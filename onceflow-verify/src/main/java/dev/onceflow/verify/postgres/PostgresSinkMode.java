package dev.onceflow.verify.postgres;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.Job;
import java.util.Locale;
import java.util.Optional;

/** Which onceflow-jdbc sink a verification writes its table with ({@code verify --sink-mode}). */
public enum PostgresSinkMode {
  /** {@code JdbcSink...upsert()}: replacement semantics on the table's key; idempotent. */
  UPSERT("upsert"),
  /** {@code JdbcSink...insertUnique()}: {@code ON CONFLICT (key) DO NOTHING}, first write wins; idempotent. */
  INSERT_UNIQUE("insert-unique"),
  /** {@code JdbcSink...exactlyOnce()}: a checkpoint's rows applied after it completed, with a fenced progress row. */
  EXACTLY_ONCE("exactly-once"),
  /** {@code JdbcSink...twoPhase()}: {@code PREPARE TRANSACTION} on the barrier, {@code COMMIT PREPARED} after. */
  TWO_PHASE("two-phase");

  private final String cliName;

  PostgresSinkMode(String cliName) {
    this.cliName = cliName;
  }

  /** The name on the command line and in the {@code postgres.mode} setting. */
  public String cliName() {
    return cliName;
  }

  /** Whether the sink is transactional (its table keeps no unique key where the checker must see duplicates). */
  public boolean transactional() {
    return this == EXACTLY_ONCE || this == TWO_PHASE;
  }

  /**
   * Parses a {@link #cliName()}.
   *
   * @throws IllegalArgumentException naming the known modes
   */
  public static PostgresSinkMode fromName(String name) {
    for (PostgresSinkMode m : values()) {
      if (m.cliName.equals(name.toLowerCase(Locale.ROOT))) {
        return m;
      }
    }
    throw new IllegalArgumentException("unknown --sink-mode '" + name
        + "': use upsert, insert-unique, exactly-once or two-phase");
  }

  /**
   * The mode used when none is given: clicks upserts its table (the job's point); the other jobs use the
   * exactly-once sink under EXACTLY_ONCE and upsert otherwise.
   */
  public static PostgresSinkMode defaultFor(Job job, Guarantee guarantee) {
    return job != Job.CLICKS && guarantee == Guarantee.EXACTLY_ONCE ? EXACTLY_ONCE : UPSERT;
  }

  /**
   * Why {@code job} written with this mode cannot keep what the checker checks under {@code guarantee}, or empty if
   * it can. The one refused combination: the ledger with {@link #INSERT_UNIQUE} under AT_LEAST_ONCE or EXACTLY_ONCE.
   * Its rows carry running balances (state), and a replay after a restore recomputes them in a new lineage of that
   * state, in whatever order the partitions then interleave; first-write-wins keeps the rows of the lineage the restore
   * discarded beside those of the new one, so the seqs and balances of one account no longer describe one processing
   * (at-least-once's "no state effect missing" then fails on tables that lost nothing). This is the sinks' own rule
   * seen from the table: state that a replay recomputes needs replacement ({@link #UPSERT}) or a transactional mode,
   * as accumulating updates need {@code exactlyOnce()} / {@code twoPhase()}.
   */
  public Optional<String> refusal(Job job, Guarantee guarantee) {
    if (this == INSERT_UNIQUE && job == Job.ORDERS) {
      return Optional.of("--sink-mode insert-unique cannot write the orders inventory: its rows are updated (one row"
          + " per item) and ON CONFLICT DO NOTHING would keep the first. Use exactly-once or two-phase (the changes"
          + " added in a transaction per checkpoint), or upsert (the absolute stock replaced)");
    }
    if (this == INSERT_UNIQUE && job == Job.LEDGER && guarantee != Guarantee.AT_MOST_ONCE) {
      return Optional.of("--sink-mode insert-unique cannot write the ledger under " + guarantee + ": its rows hold"
          + " running balances that a replay recomputes in a new lineage of the state, and ON CONFLICT DO NOTHING"
          + " keeps the rows of the lineage the restore discarded (first write wins), so one account's seqs and"
          + " balances would mix two processings. Use --sink-mode upsert (replacement), exactly-once or two-phase");
    }
    return Optional.empty();
  }
}
