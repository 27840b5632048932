package dev.onceflow.jdbc;

import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import java.util.List;

/**
 * PostgreSQL sinks, each with the guarantee it states; the pipeline builder refuses a combination that cannot hold.
 *
 * <ul>
 *   <li>{@link JdbcSinkBuilder#upsert()} — {@code INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c}
 *       (replacement semantics; {@code DO NOTHING} when every column is in the key). Idempotent: a replay rewrites the
 *       same final values, so the table ends exact under AT_LEAST_ONCE and the sink is accepted under EXACTLY_ONCE.
 *       Accumulating updates cannot be declared on it.
 *   <li>{@link JdbcSinkBuilder#insertUnique()} — {@code ON CONFLICT (key) DO NOTHING} on a unique key of
 *       deterministic ids (payment idempotency keys, clicks' composite keys): a replayed row is absorbed and counted
 *       ({@link JdbcSinkMetrics#duplicatesAbsorbed()}), never an error. Idempotent.
 *   <li>{@link JdbcSinkBuilder#exactlyOnce()} — a checkpoint's rows kept in the checkpoint and applied after it
 *       completed in one local transaction with an epoch-fenced progress row: exact, including accumulating updates
 *       ({@link JdbcSinkBuilder#accumulate}); no XA, no server setting.
 *   <li>{@link JdbcSinkBuilder#twoPhase()} — {@code PREPARE TRANSACTION} on the barrier, {@code COMMIT PREPARED}
 *       after completion; needs {@code max_prepared_transactions} &gt; 0; exact, including accumulating updates.
 *   <li>{@link JdbcSinkBuilder#insert()} — a plain insert (or a custom statement, {@link JdbcSinkBuilder#sql}):
 *       effects repeat after replay; refused under EXACTLY_ONCE.
 * </ul>
 */
public final class JdbcSink {
  private JdbcSink() {}

  /** Starts configuring a sink into {@code table} (quoted as given: case-sensitive) through {@code connection}. */
  public static <T> JdbcSinkBuilder<T> into(JdbcConnection connection, String table) {
    return new JdbcSinkBuilder<>(connection, table);
  }

  /** An upsert sink: {@code columns} in mapper order, conflict {@code key} (a subset). See {@link JdbcSinkBuilder}. */
  public static <T> WriteThroughSink<T> upsert(JdbcConnection connection, String table, List<String> columns,
      List<String> key, RowMapper<? super T> mapper) {
    return JdbcSink.<T>into(connection, table).columns(columns).key(key).mapper(mapper).upsert();
  }

  /** An insert-unique sink on the unique {@code key}. */
  public static <T> WriteThroughSink<T> insertUnique(JdbcConnection connection, String table, List<String> columns,
      List<String> key, RowMapper<? super T> mapper) {
    return JdbcSink.<T>into(connection, table).columns(columns).key(key).mapper(mapper).insertUnique();
  }

  /** An exactly-once sink that upserts on {@code key} (use the builder for accumulating updates). */
  public static <T> TwoPhaseCommitSink<T> exactlyOnce(JdbcConnection connection, String table, List<String> columns,
      List<String> key, RowMapper<? super T> mapper) {
    return JdbcSink.<T>into(connection, table).columns(columns).key(key).mapper(mapper).exactlyOnce();
  }

  /** A two-phase-commit sink that upserts on {@code key} (use the builder for accumulating updates). */
  public static <T> TwoPhaseCommitSink<T> twoPhase(JdbcConnection connection, String table, List<String> columns,
      List<String> key, RowMapper<? super T> mapper) {
    return JdbcSink.<T>into(connection, table).columns(columns).key(key).mapper(mapper).twoPhase();
  }
}
