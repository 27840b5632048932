package dev.onceflow.examples;

/**
 * One input record an example writes to its input topic before its pipeline runs.
 *
 * @param value the record's text (UTF-8 in the log)
 * @param timestamp the record's event time, epoch milliseconds (the log record's timestamp, which {@code LogSource}
 *     hands to the pipeline as event time)
 */
public record InputRecord(String value, long timestamp) {}
