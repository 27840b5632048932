package dev.onceflow.jdbc;

import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.jdbc.internal.ExactlyOnceJdbcSink;
import dev.onceflow.jdbc.internal.Retry;
import dev.onceflow.jdbc.internal.SinkSpec;
import dev.onceflow.jdbc.internal.TwoPhaseJdbcSink;
import dev.onceflow.jdbc.internal.WriteMode;
import dev.onceflow.jdbc.internal.WriteThroughJdbcSink;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;

/**
 * Configures a JDBC sink; finish with one of {@link #upsert()}, {@link #insertUnique()}, {@link #exactlyOnce()},
 * {@link #twoPhase()} or {@link #insert()}. Table and column names are quoted as given (so case-sensitive: a table
 * created as {@code CREATE TABLE Payments} is {@code payments}); values are always bound as parameters.
 *
 * <p>Misconfiguration fails here with {@link IllegalArgumentException} / {@link IllegalStateException} naming the fix;
 * e.g. {@link #accumulate} with {@link #upsert()} is refused, because adding to a column is not idempotent.
 */
public final class JdbcSinkBuilder<T> {
  private final JdbcConnection connection;
  private final String table;
  private String name;
  private String schema;
  private List<String> columns = List.of();
  private List<String> key = List.of();
  private List<String> accumulate = List.of();
  private String sql;
  private RowMapper<? super T> mapper;
  private DeadLetterSink deadLetters = DeadLetterSink.failing();
  private JdbcSinkMetrics metrics = new JdbcSinkMetrics();
  private int batchRows = 1024;
  private Duration maxHold = Duration.ofMillis(200);
  private java.util.function.LongSupplier nanoClock = System::nanoTime;
  private int retries = 5;
  private Duration retryBackoff = Duration.ofMillis(200);
  private String progressTable = "onceflow_sink_progress";
  private Retry.Sleeper sleeper = Retry.Sleeper.SYSTEM;
  private Duration lockTimeout = Duration.ofSeconds(60);

  JdbcSinkBuilder(JdbcConnection connection, String table) {
    this.connection = Objects.requireNonNull(connection, "connection");
    this.table = requireName(table, "table");
  }

  /** The sink's name (default {@code jdbc-<table>}): in logs, progress rows and gids; keep it stable across runs. */
  public JdbcSinkBuilder<T> name(String name) {
    this.name = requireName(name, "name");
    return this;
  }

  /** The table's schema (default: the connection's search path). */
  public JdbcSinkBuilder<T> schema(String schema) {
    this.schema = requireName(schema, "schema");
    return this;
  }

  /** The columns the mapper's values go to, in order. */
  public JdbcSinkBuilder<T> columns(String... columns) {
    return columns(List.of(columns));
  }

  /** The columns the mapper's values go to, in order. */
  public JdbcSinkBuilder<T> columns(List<String> columns) {
    this.columns = List.copyOf(columns);
    return this;
  }

  /** The conflict key: the columns of the table's primary key or a unique constraint. */
  public JdbcSinkBuilder<T> key(String... key) {
    return key(List.of(key));
  }

  /** The conflict key: the columns of the table's primary key or a unique constraint. */
  public JdbcSinkBuilder<T> key(List<String> key) {
    this.key = List.copyOf(key);
    return this;
  }

  /**
   * Columns that are added to on conflict ({@code c = t.c + EXCLUDED.c}), e.g. running balances. Not idempotent:
   * allowed with {@link #exactlyOnce()} and {@link #twoPhase()}, and with {@link #insert()} (effects repeat).
   */
  public JdbcSinkBuilder<T> accumulate(String... columns) {
    this.accumulate = List.of(columns);
    return this;
  }

  /**
   * Your own statement with one {@code ?} per column (in {@link #columns} order), run as a JDBC batch. Treated as not
   * idempotent: allowed with {@link #insert()}, {@link #exactlyOnce()}, {@link #twoPhase()}.
   */
  public JdbcSinkBuilder<T> sql(String sql) {
    this.sql = Objects.requireNonNull(sql, "sql");
    return this;
  }

  /** Record to row values, in column order. Required. */
  public JdbcSinkBuilder<T> mapper(RowMapper<? super T> mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    return this;
  }

  /** Where rows the database refuses go (default {@link DeadLetterSink#failing()}: the job fails). */
  public JdbcSinkBuilder<T> deadLetters(DeadLetterSink deadLetters) {
    this.deadLetters = Objects.requireNonNull(deadLetters, "deadLetters");
    return this;
  }

  /** The counters this sink updates (default: a new set, see {@link #metrics()}). */
  public JdbcSinkBuilder<T> metrics(JdbcSinkMetrics metrics) {
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    return this;
  }

  /** The counters the sinks built from here update. */
  public JdbcSinkMetrics metrics() {
    return metrics;
  }

  /** Rows a writer buffers before it writes without waiting for the next flush (default 1024). */
  public JdbcSinkBuilder<T> batchRows(int rows) {
    if (rows < 1) {
      throw new IllegalArgumentException("batchRows must be >= 1, was " + rows);
    }
    this.batchRows = rows;
    return this;
  }

  /**
   * After a lost connection, how often a write, an apply or a commit is tried again on a new connection (default 5,
   * first back-off 200 ms, doubled up to 5 s); then the attempt fails and recovery takes over. A two-phase writer's
   * open transaction is gone with its connection, so it fails the attempt at once.
   */
  public JdbcSinkBuilder<T> retries(int retries, Duration firstBackoff) {
    if (retries < 0) {
      throw new IllegalArgumentException("retries must be >= 0, was " + retries);
    }
    this.retries = retries;
    this.retryBackoff = Objects.requireNonNull(firstBackoff, "firstBackoff");
    return this;
  }

  /**
   * Write-through sinks: the longest a row waits in the buffer between barriers while the input keeps coming (default
   * 200 ms); it is written sooner once {@code batchRows} are buffered, on every barrier, when the input is idle and at
   * its end. Longer means fewer, larger commits.
   */
  public JdbcSinkBuilder<T> maxHold(Duration hold) {
    if (hold.isNegative()) {
      throw new IllegalArgumentException("maxHold must not be negative, was " + hold);
    }
    this.maxHold = hold;
    return this;
  }

  /** The clock {@link #maxHold} is measured with, in nanoseconds (tests inject one; default System::nanoTime). */
  public JdbcSinkBuilder<T> nanoClock(java.util.function.LongSupplier clock) {
    this.nanoClock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** How retries wait (tests inject one that does not use the wall clock). */
  public JdbcSinkBuilder<T> retrySleeper(Retry.Sleeper sleeper) {
    this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
    return this;
  }

  /** The progress table of exactly-once and two-phase sinks (default {@code onceflow_sink_progress}; created). */
  public JdbcSinkBuilder<T> progressTable(String table) {
    this.progressTable = requireName(table, "progressTable");
    return this;
  }

  /** How long a two-phase writer waits for a row lock before it fails the attempt (default 60 s). */
  public JdbcSinkBuilder<T> lockTimeout(Duration timeout) {
    this.lockTimeout = Objects.requireNonNull(timeout, "timeout");
    return this;
  }

  /**
   * Upsert with replacement semantics. Idempotent: exact under AT_LEAST_ONCE for the final values, accepted under
   * EXACTLY_ONCE.
   *
   * @throws IllegalStateException without a key, or with {@link #accumulate} / {@link #sql} (not idempotent)
   */
  public WriteThroughSink<T> upsert() {
    requireKey("upsert");
    refuseNonIdempotent("upsert");
    return new WriteThroughJdbcSink<>(spec(WriteMode.UPSERT));
  }

  /**
   * Insert, absorbing rows whose key is already present ({@code ON CONFLICT (key) DO NOTHING}); a conflict on any
   * other constraint is a refused row. Idempotent when the key is a deterministic id of the record.
   */
  public WriteThroughSink<T> insertUnique() {
    requireKey("insertUnique");
    refuseNonIdempotent("insertUnique");
    return new WriteThroughJdbcSink<>(spec(WriteMode.INSERT_UNIQUE));
  }

  /** Plain insert (or {@link #accumulate} upsert, or {@link #sql}): effects repeat after replay (AT_LEAST_ONCE). */
  public WriteThroughSink<T> insert() {
    return new WriteThroughJdbcSink<>(spec(sql != null ? WriteMode.CUSTOM
        : !accumulate.isEmpty() ? WriteMode.ACCUMULATE : WriteMode.INSERT));
  }

  /**
   * Exactly-once through one local transaction per checkpoint and subtask, with an epoch-fenced progress row in
   * {@link #progressTable}. The statement: {@link #sql} if set, else an accumulating upsert if {@link #accumulate} is
   * set, else an upsert if a key is set, else an insert. The rows of a checkpoint are held in memory and in the
   * checkpoint until applied.
   */
  public TwoPhaseCommitSink<T> exactlyOnce() {
    return new ExactlyOnceJdbcSink<>(spec(transactionalMode()));
  }

  /** Two-phase commit with PREPARE TRANSACTION; the statement as for {@link #exactlyOnce()}. */
  public TwoPhaseCommitSink<T> twoPhase() {
    return new TwoPhaseJdbcSink<>(spec(transactionalMode()));
  }

  private WriteMode transactionalMode() {
    return sql != null ? WriteMode.CUSTOM : !accumulate.isEmpty() ? WriteMode.ACCUMULATE
        : !key.isEmpty() ? WriteMode.UPSERT : WriteMode.INSERT;
  }

  private void requireKey(String what) {
    if (key.isEmpty()) {
      throw new IllegalStateException(what + " into " + table + " needs the conflict key: call key(...) with the "
          + "columns of its primary key or unique constraint");
    }
  }

  private void refuseNonIdempotent(String what) {
    if (!accumulate.isEmpty()) {
      throw new IllegalStateException(what + " into " + table + ": accumulate(" + accumulate + ") adds to columns, "
          + "which is not idempotent (a replay after a failure would add twice). Use exactlyOnce() or twoPhase() "
          + "for accumulating updates, or write final values (replacement semantics) with upsert()");
    }
    if (sql != null) {
      throw new IllegalStateException(what + " into " + table + " builds its own statement; a custom sql(...) "
          + "cannot be known to be idempotent: use insert(), exactlyOnce() or twoPhase() with it");
    }
  }

  @SuppressWarnings("unchecked")
  private SinkSpec spec(WriteMode mode) {
    if (mapper == null) {
      throw new IllegalStateException("sink into " + table + " needs mapper(record -> values)");
    }
    if (columns.isEmpty()) {
      throw new IllegalStateException("sink into " + table + " needs columns(...), in the mapper's order");
    }
    if (new HashSet<>(columns).size() != columns.size()) {
      throw new IllegalArgumentException("columns " + columns + " name a column twice");
    }
    for (String c : columns) {
      requireName(c, "column");
    }
    for (String k : key) {
      if (!columns.contains(k)) {
        throw new IllegalArgumentException("key column '" + k + "' is not among the columns " + columns);
      }
    }
    if (!accumulate.isEmpty()) {
      if (key.isEmpty()) {
        throw new IllegalStateException("accumulate(" + accumulate + ") needs the conflict key(...)");
      }
      for (String a : accumulate) {
        if (!columns.contains(a) || key.contains(a)) {
          throw new IllegalArgumentException("accumulate column '" + a + "' must be a non-key column of " + columns);
        }
      }
    }
    return new SinkSpec(name != null ? name : "jdbc-" + table, connection, schema, table, columns, key,
        List.copyOf(new ArrayList<>(accumulate)), mode, sql, (RowMapper<Object>) mapper, deadLetters, metrics,
        batchRows, retries, retryBackoff, progressTable, sleeper, lockTimeout, maxHold, nanoClock);
  }

  private static String requireName(String n, String what) {
    if (n == null || n.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return n;
  }
}
