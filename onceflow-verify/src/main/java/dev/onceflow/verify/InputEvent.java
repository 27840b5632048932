package dev.onceflow.verify;

/**
 * One input record of a job, as written to the input topic.
 *
 * @param position position in the input sequence (0-based); the record goes to partition {@code position mod P}
 * @param timestamp the log timestamp (the record's event time)
 * @param json the record value, JSON text
 */
public record InputEvent(long position, long timestamp, String json) {}
