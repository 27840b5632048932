package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.CheckpointCoordinator;
import dev.onceflow.core.checkpoint.TaskSnapshot;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;

/** What the subtasks of one attempt share: the coordinator, the checkpoint I/O thread, the failure path. */
final class AttemptServices {
  final ExecutorService checkpointIo;
  final JobExecution job;
  final CancelFlag cancel;
  volatile CheckpointCoordinator coordinator;
  volatile dev.onceflow.core.metrics.internal.JobMeters meters = dev.onceflow.core.metrics.internal.JobMeters.detached();

  AttemptServices(ExecutorService checkpointIo, JobExecution job, CancelFlag cancel) {
    this.checkpointIo = checkpointIo;
    this.job = job;
    this.cancel = cancel;
  }

  /**
   * Serialises a subtask's snapshot on the I/O thread and hands it to the coordinator, which writes every subtask's
   * snapshot of the checkpoint in one file once all arrived. The task thread has already taken the synchronous copies
   * inside {@code sections} and goes on processing.
   */
  void writeAndAcknowledge(long checkpointId, String taskKey, Map<String, Callable<byte[]>> sections) {
    checkpointIo.execute(
        () -> {
          if (cancel.isCancelled()) {
            return;
          }
          try {
            long start = System.nanoTime();
            Map<String, byte[]> bytes = new LinkedHashMap<>();
            for (var e : sections.entrySet()) {
              bytes.put(e.getKey(), e.getValue().call());
            }
            byte[] snapshot = new TaskSnapshot(bytes).toBytes();
            meters.snapshotWritten(checkpointId, System.nanoTime() - start);
            coordinator.acknowledge(checkpointId, taskKey, snapshot);
          } catch (Throwable t) {
            job.failAttempt(
                new IllegalStateException(
                    "serialising the state of subtask " + taskKey + " for checkpoint " + checkpointId + " failed", t));
          }
        });
  }
}
