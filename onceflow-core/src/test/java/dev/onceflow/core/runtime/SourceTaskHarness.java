package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.checkpoint.CheckpointCoordinator;
import dev.onceflow.core.checkpoint.CheckpointStorage;
import dev.onceflow.core.checkpoint.TriggerOnlyHooks;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/** What the tests that drive one {@link SourceTask} by hand share. */
final class SourceTaskHarness {
  private SourceTaskHarness() {}

  /**
   * A coordinator of one source subtask ({@code 0-0}) without periodic checkpoints, whose triggers go to the task in
   * {@code task} (set once the task is built) and which does nothing else on completion.
   */
  static CheckpointCoordinator coordinator(Path dir, String job, Guarantee guarantee,
      AtomicReference<SourceTask> task) throws java.io.IOException {
    return new CheckpointCoordinator(new CheckpointStorage(dir, 2), job, guarantee, List.of("0-0"), 1, Duration.ZERO,
        Duration.ofMinutes(1), new TriggerOnlyHooks() {
          @Override
          public void triggerSources(long id, boolean finalCheckpoint) {
            task.get().triggerCheckpoint(id, finalCheckpoint);
          }
        });
  }
}
