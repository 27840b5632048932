package dev.onceflow.jdbc;

import java.util.List;

/**
 * A row the database refused (a constraint other than the sink's dedup key, a bad value), sent to the sink's
 * {@link DeadLetterSink} instead of failing the job.
 *
 * @param sink the sink's name
 * @param table the target table
 * @param values the row's values as text ({@code null} stays null)
 * @param sqlState the SQLSTATE PostgreSQL gave, e.g. {@code 23514} (check violation)
 * @param message the server's message
 */
public record RejectedRow(String sink, String table, List<String> values, String sqlState, String message) {
  /** Copies the list. */
  public RejectedRow {
    values = java.util.Collections.unmodifiableList(new java.util.ArrayList<>(values));
  }
}
