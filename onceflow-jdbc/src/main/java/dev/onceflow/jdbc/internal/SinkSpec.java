package dev.onceflow.jdbc.internal;

import dev.onceflow.jdbc.DeadLetterSink;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.jdbc.JdbcSinkMetrics;
import dev.onceflow.jdbc.RowMapper;
import java.time.Duration;
import java.util.List;

/**
 * Everything a JDBC sink was configured with (validated by the builder).
 *
 * @param name the sink's name (progress rows and gids carry it)
 * @param connection where to connect
 * @param schema the table's schema or null
 * @param table the table
 * @param columns the columns, in the order of the mapper's values
 * @param key the conflict key (a subset of columns), empty for INSERT / CUSTOM
 * @param accumulate columns added to on conflict (ACCUMULATE)
 * @param mode the statement
 * @param customSql the user's SQL (CUSTOM)
 * @param mapper record to values
 * @param deadLetters where refused rows go
 * @param metrics counters
 * @param batchRows rows buffered before a write-through sink writes without waiting for a flush
 * @param retries how often a write lost to a dropped connection is tried again
 * @param retryBackoff the first wait before a retry (doubled each time, at most 5 s)
 * @param progressTable the progress table of exactly-once and two-phase sinks
 * @param sleeper how retries wait
 * @param lockTimeout how long a two-phase writer waits for a row lock before failing the attempt
 * @param maxHold write-through: the longest a row waits in the buffer between barriers while input keeps coming
 * @param nanoClock the clock of {@code maxHold}, in nanoseconds
 */
public record SinkSpec(
    String name,
    JdbcConnection connection,
    String schema,
    String table,
    List<String> columns,
    List<String> key,
    List<String> accumulate,
    WriteMode mode,
    String customSql,
    RowMapper<Object> mapper,
    DeadLetterSink deadLetters,
    JdbcSinkMetrics metrics,
    int batchRows,
    int retries,
    Duration retryBackoff,
    String progressTable,
    Retry.Sleeper sleeper,
    Duration lockTimeout,
    Duration maxHold,
    java.util.function.LongSupplier nanoClock) {

  /** The table as a quoted, possibly schema-qualified identifier. */
  public String qualifiedTable() {
    return schema == null ? Sql.quote(table) : Sql.quote(schema) + "." + Sql.quote(table);
  }

  /** The table for messages. */
  public String tableLabel() {
    return schema == null ? table : schema + "." + table;
  }

  /** The key's positions in {@link #columns}. */
  public int[] keyIndexes() {
    int[] idx = new int[key.size()];
    for (int i = 0; i < idx.length; i++) {
      idx[i] = columns.indexOf(key.get(i));
    }
    return idx;
  }
}
