package dev.onceflow.core.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * One operator inside a subtask. Operators of a stage call each other directly for records (no channel, no copy):
 * {@link #next} is the operator (or the {@link Fanout} of operators) that reads this one's output. Control calls
 * (open, restore, watermark, barrier, end of input, close, ...) are not passed along by the operators: the stage's
 * {@link StageOps} makes each call on every operator of the stage once, in topological order, so an operator that
 * emits records on a control call (timers firing on a watermark) does so before its readers see that call. Records
 * carry their key (set only right after a keyBy exchange) and event timestamp (Long.MIN_VALUE if none).
 */
abstract class ChainOp {
  ChainOp next;

  /**
   * Records handed to this operator and records it emitted on its main output (user operators only: map, filter,
   * flatMap, process, coProcess). Plain fields: written by the subtask's thread at a field increment per record,
   * published per batch by {@link StageOps} into the job's meters, so counting costs no call and no fence.
   */
  long recordsIn;

  long recordsOut;

  /** Creates per-subtask resources; called before restore. */
  void open(TaskContext ctx) throws Exception {}

  /**
   * Restores this operator from a checkpoint: the sections of this subtask (an empty list on a fresh start),
   * or after a change of parallelism those of every old subtask of the stage, of which keyed operators keep the key
   * groups this subtask owns now.
   */
  void restore(List<Map<String, byte[]>> sections) throws Exception {}

  abstract void accept(Object record, Object key, long timestamp) throws Exception;

  void watermark(long watermark) throws Exception {}

  /** The input has no data for now (idle source): downstream must not wait for its watermark. */
  void idle() throws Exception {}

  /**
   * AT_MOST_ONCE: every record replayed to rebuild state has been handed to {@link #accept}; from now on output is
   * live. Sinks stop suppressing their writes; exchanges forward it.
   */
  void replayEnd() throws Exception {}

  /** No more records will arrive: flush what end-of-input completes (timers, windows). */
  void endInput() throws Exception {}

  /**
   * Checkpoint barrier: add this operator's state to {@code sections} (cheap synchronous copy, serialised later by the
   * returned callables on the checkpoint I/O thread); exchanges forward it.
   */
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {}

  /**
   * One input batch has been handed to {@link #accept} record by record. Write-through sinks write here, so their
   * output becomes visible batch by batch rather than only on barriers; exchanges ignore it and keep filling batches.
   */
  void endOfBatch() throws Exception {}

  /** The input is idle: send partly filled batches so latency stays low. */
  void flushIdle() throws Exception {}

  /** Releases resources; {@code failed} = the attempt is being cancelled (abort open work). */
  void close(boolean failed) throws Exception {}
}
