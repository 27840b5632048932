package dev.onceflow.core.runtime;

/**
 * A batch of records with their keys (null when not keyed) and event timestamps. The arrays are owned by the batch
 * once sent; the sender allocates fresh arrays for the next batch, so no copy and no lock per record.
 */
public record RecordBatch(Object[] records, Object[] keys, long[] timestamps, int size) implements StreamElement {}
