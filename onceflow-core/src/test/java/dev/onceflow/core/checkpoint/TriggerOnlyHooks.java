package dev.onceflow.core.checkpoint;

import java.util.Map;

/** Coordinator hooks for tests that only care about triggers: everything else does nothing. */
public abstract class TriggerOnlyHooks implements CheckpointCoordinator.Hooks {
  @Override
  public void commitSinks(long id) {}

  @Override
  public void checkpointCompleted(long id, Map<String, byte[]> snapshots) {}

  @Override
  public void sinksCommitted(long id, boolean finalCheckpoint) {}

  @Override
  public void checkpointDiscarded(long id, String reason) {}

  @Override
  public void fail(Throwable cause) {}
}
