package dev.onceflow.core.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * One operator in a chain inside a subtask. Chained operators call each other directly (no channel, no copy). Records
 * carry their key (set only right after a keyBy exchange) and event timestamp (Long.MIN_VALUE if none).
 */
abstract class ChainOp {
  ChainOp next;

  /** Creates per-subtask resources; called before restore. */
  void open(TaskContext ctx) throws Exception {
    if (next != null) {
      next.open(ctx);
    }
  }

  /**
   * Restores this and later operators from a checkpoint: the sections of this subtask (an empty list on a fresh start),
   * or after a change of parallelism those of every old subtask of the stage, of which keyed operators keep the key
   * groups this subtask owns now.
   */
  void restore(List<Map<String, byte[]>> sections) throws Exception {
    if (next != null) {
      next.restore(sections);
    }
  }

  abstract void accept(Object record, Object key, long timestamp) throws Exception;

  void watermark(long watermark) throws Exception {
    next.watermark(watermark);
  }

  /** The input has no data for now (idle source): downstream must not wait for its watermark. */
  void idle() throws Exception {
    if (next != null) {
      next.idle();
    }
  }

  /**
   * AT_MOST_ONCE: every record replayed to rebuild state has been handed to {@link #accept}; from now on output is
   * live. Sinks stop suppressing their writes; everything else passes it on.
   */
  void replayEnd() throws Exception {
    if (next != null) {
      next.replayEnd();
    }
  }

  /** No more records will arrive: flush what end-of-input completes (timers, windows), then propagate. */
  void endInput() throws Exception {
    next.endInput();
  }

  /**
   * Checkpoint barrier: add this operator's state to {@code sections} (cheap synchronous copy, serialised later by the
   * returned callables on the checkpoint I/O thread), then pass the barrier on.
   */
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    next.barrier(barrier, sections);
  }

  /**
   * One input batch has been handed to {@link #accept} record by record. Write-through sinks write here, so their
   * output becomes visible batch by batch rather than only on barriers; exchanges ignore it and keep filling batches.
   */
  void endOfBatch() throws Exception {
    if (next != null) {
      next.endOfBatch();
    }
  }

  /** The input is idle: send partly filled batches so latency stays low. */
  void flushIdle() throws Exception {
    if (next != null) {
      next.flushIdle();
    }
  }

  /** Releases resources; {@code failed} = the attempt is being cancelled (abort open work). */
  void close(boolean failed) throws Exception {
    if (next != null) {
      next.close(failed);
    }
  }
}
