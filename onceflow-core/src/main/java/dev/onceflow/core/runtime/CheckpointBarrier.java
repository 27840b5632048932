package dev.onceflow.core.runtime;

/**
 * Marks the cut of checkpoint {@code id}: records before it are in the snapshot, records after it are not.
 *
 * @param id checkpoint id
 * @param finalCheckpoint true for the last checkpoint of a bounded job (sent after end-of-input)
 */
public record CheckpointBarrier(long id, boolean finalCheckpoint) implements StreamElement {}
