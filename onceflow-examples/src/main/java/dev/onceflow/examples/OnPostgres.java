package dev.onceflow.examples;

import dev.onceflow.core.Pipeline;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.log.Log;
import java.nio.file.Path;

/**
 * An example whose output also goes to a PostgreSQL table: {@code ./onceflow example NAME --postgres JDBC_URL}. The
 * input stays on the embedded log; the sink is one of onceflow-jdbc's ({@code JdbcSink}), chosen for the example's
 * guarantee.
 */
public interface OnPostgres extends Example {
  /** The statement creating the output table {@code table} (if it does not exist). */
  String createTable(String table);

  /** The columns of the table, in the order {@link ConnectorRunner} prints them. */
  String columns();

  /** The pipeline reading {@link #inputTopic()} of {@code log} to its end and writing {@code table} of {@code db}. */
  Pipeline pipeline(Log log, JdbcConnection db, String table, Path checkpointDir);
}
