package dev.onceflow.core.testing;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The pipeline settings the in-process failure tests share: small batches and channels so a fault finds records in
 * flight everywhere, a checkpoint every 10 ms, up to 10 quick restarts; under AT_MOST_ONCE a read-ahead of 16 batches
 * (several reservations in flight, and what a failure loses stays small against the tests' inputs).
 */
public final class FaultTestPipelines {
  private FaultTestPipelines() {}

  /** Parallelism 2, checkpoints in {@code checkpointDir}, counted by {@code checkpoints}. */
  public static Pipeline pipeline(String name, Guarantee guarantee, Path checkpointDir, CheckpointCounter checkpoints) {
    return Onceflow.pipeline(name)
        .guarantee(guarantee)
        .parallelism(2)
        .batchSize(64)
        .atMostOnceReadAhead(1024)
        .channelCapacity(2)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(checkpointDir)
        .restartStrategy(RestartStrategy.fixedDelay(10, Duration.ofMillis(1)))
        .listener(checkpoints);
  }
}
