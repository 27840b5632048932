package dev.onceflow.jdbc;

import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of one JDBC sink in this JVM (all subtasks together). Thread-safe; read them at any time.
 */
public final class JdbcSinkMetrics {
  final LongAdder rowsWritten = new LongAdder();
  final LongAdder duplicatesAbsorbed = new LongAdder();
  final LongAdder rowsRejected = new LongAdder();
  final LongAdder retries = new LongAdder();
  final LongAdder checkpointsApplied = new LongAdder();
  final LongAdder staleApplies = new LongAdder();
  final LongAdder fencedApplies = new LongAdder();

  /** A new set of counters at zero. */
  public JdbcSinkMetrics() {}

  /** Rows sent to the database and not refused (inserted, updated or absorbed as duplicates). */
  public long rowsWritten() {
    return rowsWritten.sum();
  }

  /** Rows an insert-unique sink found already present (ON CONFLICT DO NOTHING): replays and true duplicates. */
  public long duplicatesAbsorbed() {
    return duplicatesAbsorbed.sum();
  }

  /** Rows the database refused, sent to the dead-letter destination. */
  public long rowsRejected() {
    return rowsRejected.sum();
  }

  /** Writes retried after a lost connection. */
  public long retries() {
    return retries.sum();
  }

  /** Checkpoints whose rows were applied or committed (exactly-once and two-phase sinks). */
  public long checkpointsApplied() {
    return checkpointsApplied.sum();
  }

  /** Applies skipped because the progress row already covered the checkpoint (a repeated commit on recovery). */
  public long staleApplies() {
    return staleApplies.sum();
  }

  /** Applies refused because a newer writer epoch owns the progress row (a zombie writer). */
  public long fencedApplies() {
    return fencedApplies.sum();
  }

  /** Package-internal access for the implementation classes. */
  public Recorder recorder() {
    return new Recorder(this);
  }

  /** Increments the counters; used by the sink implementations. */
  public static final class Recorder {
    private final JdbcSinkMetrics m;

    Recorder(JdbcSinkMetrics m) {
      this.m = m;
    }

    /** Counts rows written. */
    public void written(long n) {
      m.rowsWritten.add(n);
    }

    /** Counts absorbed duplicates. */
    public void absorbed(long n) {
      m.duplicatesAbsorbed.add(n);
    }

    /** Counts refused rows. */
    public void rejected(long n) {
      m.rowsRejected.add(n);
    }

    /** Counts one retry. */
    public void retried() {
      m.retries.increment();
    }

    /** Counts one applied checkpoint. */
    public void applied() {
      m.checkpointsApplied.increment();
    }

    /** Counts one stale apply. */
    public void stale() {
      m.staleApplies.increment();
    }

    /** Counts one fenced apply. */
    public void fenced() {
      m.fencedApplies.increment();
    }
  }

  @Override
  public String toString() {
    return "written=" + rowsWritten() + " absorbed=" + duplicatesAbsorbed() + " rejected=" + rowsRejected()
        + " retries=" + retries() + " applied=" + checkpointsApplied() + " stale=" + staleApplies() + " fenced="
        + fencedApplies();
  }
}
