package dev.onceflow.examples;

import dev.onceflow.core.Pipeline;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.jdbc.JdbcSink;
import dev.onceflow.jdbc.JdbcSinkBuilder;
import dev.onceflow.log.Log;
import java.nio.file.Path;

/**
 * An example whose output also goes to a PostgreSQL table: {@code ./onceflow example NAME --postgres JDBC_URL}. The
 * input stays on the embedded log; the sink is one of onceflow-jdbc's ({@code JdbcSink}), chosen for the example's
 * guarantee.
 */
public interface OnPostgres extends Example {
  /** The output table: columns, types and key. */
  PostgresTable outputTable();

  /** The statement creating the output table {@code table} (if it does not exist). */
  default String createTable(String table) {
    return outputTable().createStatement(table);
  }

  /** The columns of the table, in the order {@link ConnectorRunner} prints them. */
  default String columns() {
    return String.join(", ", outputTable().names());
  }

  /** A sink builder into {@code table} with the output table's columns and key; the example adds mapper and mode. */
  default <T> JdbcSinkBuilder<T> sinkInto(JdbcConnection db, String table) {
    PostgresTable t = outputTable();
    return JdbcSink.<T>into(db, table).columns(t.names()).key(t.key());
  }

  /** The pipeline reading {@link #inputTopic()} of {@code log} to its end and writing {@code table} of {@code db}. */
  Pipeline pipeline(Log log, JdbcConnection db, String table, Path checkpointDir);
}
