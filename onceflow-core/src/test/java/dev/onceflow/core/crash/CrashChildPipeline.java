package dev.onceflow.core.crash;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.testing.ChildJob;
import java.nio.file.Path;
import java.time.Duration;

/** The pipeline settings the crash children share: small batches and channels, checkpoints every 15 ms. */
final class CrashChildPipeline {
  private CrashChildPipeline() {}

  /**
   * An exactly-once pipeline at parallelism 2 that does not restart in-process (the parent kills and restarts it),
   * printing checkpoint lines, and holding at the {@code nth} completed checkpoint when {@code hold} is {@code CKPT}.
   */
  static Pipeline create(String name, Path checkpointDir, String hold, int nth) {
    return Onceflow.pipeline(name)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .batchSize(32)
        .channelCapacity(2)
        .checkpointInterval(Duration.ofMillis(15))
        .checkpointDir(checkpointDir)
        .restartStrategy(RestartStrategy.noRestart())
        .listener(ChildJob.printingListener(hold.equals("CKPT") ? nth : 0));
  }
}
