package dev.onceflow.core.window;

/**
 * The result of one window of one key.
 *
 * @param key the key
 * @param start window start (inclusive, epoch millis)
 * @param end window end (exclusive)
 * @param value the aggregate
 */
public record WindowResult<K, R>(K key, long start, long end, R value) implements java.io.Serializable {}
