package dev.onceflow.jdbc;

/**
 * Turns a record into the values of one table row, in the order of the sink's columns. Values are bound as statement
 * parameters, never spliced into SQL. Exactly-once sinks keep the values in checkpoints, so they must be one of:
 * {@code null}, String, Long, Integer, Short, Double, Float, Boolean, BigDecimal, byte[], UUID, Instant, LocalDate,
 * LocalDateTime, OffsetDateTime.
 *
 * @param <T> the record type
 */
@FunctionalInterface
public interface RowMapper<T> {
  /** The row's values, one per column, in column order. Must be deterministic for idempotent sinks. */
  Object[] toRow(T record);
}
