package dev.onceflow.core.metrics;

/**
 * Where one checkpoint's time went, as the coordinator and the subtasks measured it in this process. Durations are
 * nanoseconds; a phase not reached (a failed checkpoint) is 0.
 *
 * @param id checkpoint id
 * @param finalCheckpoint the end-of-input checkpoint of a bounded job
 * @param triggeredAtMillis wall-clock time the coordinator triggered it
 * @param durationNanos trigger until every sink committed (or until it failed)
 * @param acknowledgeNanos trigger until the last subtask acknowledged (barrier travel, alignment, snapshots)
 * @param barrierStartNanos trigger until the last source subtask injected the barrier (a source finishes the batch it
 *     is reading, or the poll it is blocked in, first)
 * @param alignmentNanos longest barrier alignment of a subtask (first barrier to last barrier of its inputs)
 * @param syncSnapshotNanos longest synchronous part of a subtask's snapshot, on its task thread once the barrier is
 *     aligned: copying operator state, a sink's synchronous pre-commit, forwarding the barrier downstream
 * @param snapshotWriteNanos longest asynchronous serialisation of a subtask's snapshot on the checkpoint-I/O thread
 * @param metadataWriteNanos writing the {@code _metadata} file with every snapshot: write, fsync, rename, dir fsyncs
 * @param sinkCommitNanos committing the sink transactions of the checkpoint
 * @param sizeBytes serialised snapshot bytes of every subtask
 * @param pendingTransactions sink transactions still pending after the commit (0 when every commit succeeded)
 * @param failure why it was discarded, or null if it completed
 */
public record CheckpointStats(
    long id,
    boolean finalCheckpoint,
    long triggeredAtMillis,
    long durationNanos,
    long acknowledgeNanos,
    long barrierStartNanos,
    long alignmentNanos,
    long syncSnapshotNanos,
    long snapshotWriteNanos,
    long metadataWriteNanos,
    long sinkCommitNanos,
    long sizeBytes,
    int pendingTransactions,
    CheckpointFailureReason failure) {

  /** True if the checkpoint completed and its sinks committed. */
  public boolean completed() {
    return failure == null;
  }
}
