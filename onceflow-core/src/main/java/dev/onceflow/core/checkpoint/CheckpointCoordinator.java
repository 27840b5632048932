package dev.onceflow.core.checkpoint;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.metrics.CheckpointFailureReason;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Triggers checkpoints, collects acknowledgements and completes them. All its state lives on one thread
 * ("checkpoint-coordinator"); other threads only submit events to it, so no locks are needed.
 *
 * <p>One checkpoint at a time. Trigger: allocate id n, tell every source subtask to snapshot its position and emit
 * barrier n. Complete: when every subtask has acknowledged (handed over its serialised snapshot), write them all with
 * the metadata in one file atomically, THEN tell the sinks to commit. When every source has reached the end of a
 * bounded input, a final checkpoint is triggered; when it is committed the job is finished. A checkpoint that times
 * out is discarded and never used.
 */
public final class CheckpointCoordinator {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointCoordinator.class);

  /** What the coordinator asks of the job. Called on the coordinator thread. */
  public interface Hooks {
    /** Asks every source subtask to inject barrier {@code id}. */
    void triggerSources(long id, boolean finalCheckpoint);

    /** Commits every sink transaction recorded up to checkpoint {@code id}. */
    void commitSinks(long id) throws Exception;

    /** Checkpoint {@code id} is durable; {@code snapshots}: every subtask's serialised {@link TaskSnapshot}. */
    void checkpointCompleted(long id, Map<String, byte[]> snapshots);

    /** Sinks committed checkpoint {@code id}; if it was the final one, the job is finished. */
    void sinksCommitted(long id, boolean finalCheckpoint);

    /** Checkpoint {@code id} was discarded. */
    void checkpointDiscarded(long id, String reason);

    /** The attempt must fail. */
    void fail(Throwable cause);

    /**
     * Checkpoint {@code id} completed and committed; the nanosecond arguments are {@link System#nanoTime()} readings
     * at trigger, last acknowledgement, metadata durable, sinks committed. Called before {@link #sinksCommitted}.
     */
    default void checkpointTimed(long id, boolean isFinal, long triggeredAtMillis, long triggered, long acknowledged,
        long metadataWritten, long committed, long sizeBytes) {}

    /** Checkpoint {@code id}, triggered at {@code triggered} (nanoTime), failed for {@code reason}. */
    default void checkpointFailed(long id, boolean isFinal, long triggeredAtMillis, long triggered,
        dev.onceflow.core.metrics.CheckpointFailureReason reason) {}
  }

  private final CheckpointStorage storage;
  private final String jobName;
  private final Guarantee guarantee;
  private final List<String> taskKeys;
  private final int sourceCount;
  private final Duration interval;
  /** A periodic tick found a checkpoint pending: trigger the next one when it ends. Coordinator thread. */
  private boolean overdue;
  private final Duration timeout;
  private final Hooks hooks;
  private final ScheduledThreadPoolExecutor executor;
  private final Set<Integer> exhaustedSources = new HashSet<>();
  private Pending pending;
  private boolean finalTriggered;
  private boolean stopped;

  private static final class Pending {
    final long id;
    final boolean isFinal;
    final Map<String, byte[]> snapshots = new HashMap<>();
    final long triggeredAtMillis = System.currentTimeMillis();
    final long triggeredNanos = System.nanoTime();
    ScheduledFuture<?> timeout;

    Pending(long id, boolean isFinal) {
      this.id = id;
      this.isFinal = isFinal;
    }
  }

  /**
   * Creates a coordinator.
   *
   * @param guarantee recorded in every checkpoint's metadata
   * @param taskKeys every subtask that must acknowledge a checkpoint
   * @param sourceCount number of source subtasks that report exhaustion
   * @param interval periodic interval; zero = only the final checkpoint
   */
  public CheckpointCoordinator(
      CheckpointStorage storage,
      String jobName,
      Guarantee guarantee,
      List<String> taskKeys,
      int sourceCount,
      Duration interval,
      Duration timeout,
      Hooks hooks) {
    this.storage = storage;
    this.jobName = jobName;
    this.guarantee = guarantee;
    this.taskKeys = List.copyOf(taskKeys);
    this.sourceCount = sourceCount;
    this.interval = interval;
    this.timeout = timeout;
    this.hooks = hooks;
    this.executor =
        new ScheduledThreadPoolExecutor(
            1,
            r -> {
              Thread t = new Thread(r, "onceflow-" + jobName + "-checkpoint-coordinator");
              t.setDaemon(true);
              return t;
            });
    executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    executor.setRemoveOnCancelPolicy(true);
  }

  /** Starts periodic triggering (if an interval is set). */
  public void start() {
    if (!interval.isZero()) {
      scheduleTick();
    }
  }

  /**
   * Periodic triggering: one tick an interval after each periodic trigger. A tick that finds a checkpoint still
   * pending does not wait a whole interval more (a record read just after that checkpoint's barrier would then wait
   * two intervals to become visible): the next checkpoint is triggered as soon as the pending one ends. Coordinator
   * thread.
   */
  private void scheduleTick() {
    long ms = Math.max(1, interval.toMillis());
    try {
      executor.schedule(() -> guarded(this::tick), ms, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shut down: no more checkpoints for this attempt
    }
  }

  private void tick() {
    if (finalTriggered) {
      return;
    }
    if (pending != null) {
      overdue = true; // afterPendingEnded() triggers it
      return;
    }
    trigger(false);
    scheduleTick();
  }

  /** The pending checkpoint completed or was discarded: the final one may be due, or a periodic one overdue. */
  private void afterPendingEnded() {
    maybeTriggerFinal();
    if (overdue && pending == null) {
      overdue = false;
      tick();
    }
  }

  /** Source subtask {@code subtask} has emitted its last record. Any thread. */
  public void sourceExhausted(int subtask) {
    submit(
        () -> {
          exhaustedSources.add(subtask);
          maybeTriggerFinal();
        });
  }

  /**
   * Subtask {@code taskKey} has taken its snapshot for checkpoint {@code id}: {@code snapshot} is its serialised
   * {@link TaskSnapshot}. It becomes durable when the checkpoint completes (all subtasks in one file). Any thread.
   */
  public void acknowledge(long id, String taskKey, byte[] snapshot) {
    submit(
        () -> {
          if (pending == null || pending.id != id) {
            return; // late ack of a discarded checkpoint
          }
          pending.snapshots.put(taskKey, snapshot);
          if (pending.snapshots.size() == taskKeys.size()) {
            complete(pending);
          }
        });
  }

  /** Stops triggering and waits for an in-flight completion/commit to finish; discards a pending checkpoint. */
  public void shutdown() {
    try {
      executor.submit(
              () -> {
                stopped = true;
                if (pending != null) {
                  Pending p = pending;
                  pending = null;
                  discard(p, CheckpointFailureReason.ATTEMPT_ENDED, "the attempt ended before it completed");
                }
              })
          .get();
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // already shut down
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.error("Checkpoint coordinator of {} failed while stopping", jobName, e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    executor.shutdown();
    try {
      if (!executor.awaitTermination(60, TimeUnit.SECONDS)) {
        LOG.error("Checkpoint coordinator of {} did not stop within 60 s", jobName);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void submit(Runnable r) {
    try {
      executor.execute(() -> guarded(r));
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shut down: the attempt is over, events are moot
    }
  }

  private void guarded(Runnable r) {
    if (stopped) {
      return;
    }
    try {
      r.run();
    } catch (Throwable t) {
      // The attempt is over: acknowledgements still queued must not complete (and commit) another checkpoint.
      stopped = true;
      hooks.fail(t);
    }
  }

  private void maybeTriggerFinal() {
    if (exhaustedSources.size() == sourceCount && pending == null && !finalTriggered) {
      trigger(true);
    }
  }

  private void trigger(boolean isFinal) {
    if (pending != null || finalTriggered) {
      return;
    }
    long id;
    try {
      id = storage.newCheckpoint();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot create checkpoint directory in " + storage.directory(), e);
    }
    pending = new Pending(id, isFinal);
    finalTriggered = isFinal;
    long ms = Math.max(1, timeout.toMillis());
    pending.timeout = executor.schedule(() -> guarded(() -> expire(id)), ms, TimeUnit.MILLISECONDS);
    LOG.debug("Triggering {}checkpoint {} of {}", isFinal ? "final " : "", id, jobName);
    hooks.triggerSources(id, isFinal);
    try {
      storage.persistNewCheckpoint(id); // while the barriers travel: not part of the completion's fsyncs
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("cannot force checkpoint directory " + storage.directory(), e);
    }
  }

  private void expire(long id) {
    if (pending == null || pending.id != id) {
      return;
    }
    Pending p = pending;
    pending = null;
    discard(p, CheckpointFailureReason.TIMEOUT, "timed out after " + timeout.toMillis() + " ms with "
        + p.snapshots.size() + "/" + taskKeys.size()
        + " acknowledgements");
    if (p.isFinal) {
      hooks.fail(new IllegalStateException("final checkpoint " + id + " of " + jobName + " timed out"));
    } else {
      afterPendingEnded();
    }
  }

  private void discard(Pending p, CheckpointFailureReason why, String reason) {
    long id = p.id;
    LOG.warn("Discarding checkpoint {} of {}: {}", id, jobName, reason);
    try {
      storage.discard(id);
    } catch (java.io.IOException e) {
      LOG.warn("Could not delete discarded checkpoint {} (it has no metadata and is never used)", id, e);
    }
    hooks.checkpointDiscarded(id, reason);
    hooks.checkpointFailed(id, p.isFinal, p.triggeredAtMillis, p.triggeredNanos, why);
  }

  private void complete(Pending p) {
    long acknowledged = System.nanoTime();
    try {
      storage.writeCompleted(
          new CheckpointMetadata(p.id, p.isFinal, System.currentTimeMillis(), jobName, guarantee, taskKeys),
          p.snapshots);
    } catch (java.io.IOException e) {
      hooks.checkpointFailed(p.id, p.isFinal, p.triggeredAtMillis, p.triggeredNanos,
          CheckpointFailureReason.METADATA_WRITE_FAILED);
      throw new java.io.UncheckedIOException("cannot write checkpoint " + p.id, e);
    }
    long written = System.nanoTime();
    pending = null;
    p.timeout.cancel(false); // else every completed checkpoint leaves a task in the queue for the timeout period
    LOG.debug("Completed {}checkpoint {} of {}", p.isFinal ? "final " : "", p.id, jobName);
    hooks.checkpointCompleted(p.id, p.snapshots);
    try {
      hooks.commitSinks(p.id);
    } catch (Exception e) {
      hooks.checkpointFailed(p.id, p.isFinal, p.triggeredAtMillis, p.triggeredNanos,
          CheckpointFailureReason.SINK_COMMIT_FAILED);
      throw new IllegalStateException("committing the sink transactions of checkpoint " + p.id + " failed", e);
    }
    long size = 0;
    for (byte[] s : p.snapshots.values()) {
      size += s.length;
    }
    long committed = System.nanoTime();
    try {
      storage.pruneCompleted(); // after the commit: old checkpoints' deletion is not on the way to visible output
    } catch (java.io.IOException e) {
      LOG.warn("Could not delete old checkpoints of {} in {} (retried after the next checkpoint)", jobName,
          storage.directory(), e);
    }
    hooks.checkpointTimed(p.id, p.isFinal, p.triggeredAtMillis, p.triggeredNanos, acknowledged, written,
        committed, size);
    hooks.sinksCommitted(p.id, p.isFinal);
    if (!p.isFinal) {
      afterPendingEnded();
    }
  }
}
