package dev.onceflow.jdbc;

import dev.onceflow.core.NonRecoverableException;

/**
 * Thrown by {@link DeadLetterSink#failing()} when the database refuses a row: the job fails instead of dropping it.
 * A {@link NonRecoverableException}: the job fails at once. Not recoverable by retrying (the same row is refused again): fix the data or configure a dead-letter destination.
 */
public final class RowRejectedException extends NonRecoverableException {
  private final RejectedRow row;

  /** For {@code row}. */
  public RowRejectedException(RejectedRow row) {
    super("sink '" + row.sink() + "': table " + row.table() + " refused a row (SQLSTATE " + row.sqlState() + ": "
        + row.message() + "); values " + row.values() + ". Configure deadLetters(...) on the sink to divert such "
        + "rows instead of failing the job");
    this.row = row;
  }

  /** The refused row. */
  public RejectedRow row() {
    return row;
  }
}
