package dev.onceflow.core.runtime;

/** No record with an event timestamp at or below {@code timestamp} follows on this channel (late data aside). */
public record Watermark(long timestamp) implements StreamElement {}
