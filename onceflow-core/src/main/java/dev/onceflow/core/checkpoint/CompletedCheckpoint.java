package dev.onceflow.core.checkpoint;

import java.util.Map;

/**
 * A completed checkpoint read back from disk.
 *
 * @param metadata its metadata
 * @param tasks task key to that subtask's snapshot
 */
public record CompletedCheckpoint(CheckpointMetadata metadata, Map<String, TaskSnapshot> tasks) {
  /** The checkpoint id. */
  public long id() {
    return metadata.id();
  }

  /** The snapshot of task {@code key}, or an empty one if the task had none. */
  public TaskSnapshot task(String key) {
    return tasks.getOrDefault(key, new TaskSnapshot(Map.of()));
  }
}
