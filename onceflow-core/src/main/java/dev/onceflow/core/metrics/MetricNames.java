package dev.onceflow.core.metrics;

/**
 * The meters a job registers (Micrometer names; a Prometheus registry renders {@code onceflow.source.records} as
 * {@code onceflow_source_records_total}, timers in seconds). Every meter carries the tag {@code pipeline}; other tags
 * are low-cardinality: {@code stage}, {@code sink}, {@code phase}, {@code reason}, {@code cause} (an exception class
 * name), {@code partition}. Never a transaction id, key or record value. Counts are of this process: a replay after a
 * restart counts again.
 */
public final class MetricNames {
  private MetricNames() {}

  /** Counter: records emitted by the source subtasks (replays count again). */
  public static final String SOURCE_RECORDS = "onceflow.source.records";
  /** Counter: source records that failed to decode and were dead-lettered. */
  public static final String SOURCE_DEAD_LETTERED = "onceflow.source.dead.lettered";
  /** Gauge, tag partition: records between the source's position and the end of the partition (read committed). */
  public static final String SOURCE_LAG = "onceflow.source.lag";
  /** Counter, tag stage: records that entered a stage behind a keyBy (stage k's input = stage k-1's output). */
  public static final String STAGE_RECORDS_IN = "onceflow.stage.records.in";
  /**
   * Counter, tags stage, operator (its id, e.g. {@code op3}), kind ({@code map}, {@code filter}, {@code flatMap},
   * {@code process:<name>}, {@code coProcess:<name>}): records handed to a user operator, also inside a chained stage.
   */
  public static final String OPERATOR_RECORDS_IN = "onceflow.operator.records.in";
  /** Counter, same tags as {@link #OPERATOR_RECORDS_IN}: records the operator emitted on its main output. */
  public static final String OPERATOR_RECORDS_OUT = "onceflow.operator.records.out";
  /** Counter (seconds), tag stage: time senders spent blocked on the stage's full input channels (backpressure). */
  public static final String CHANNEL_BLOCKED = "onceflow.channel.blocked.time";
  /** Counter, tag sink: records handed to the sink writer (not those suppressed during an at-most-once replay). */
  public static final String SINK_RECORDS = "onceflow.sink.records";
  /** Gauge, tag sink: prepared sink transactions waiting for their checkpoint to complete and commit. */
  public static final String SINK_PENDING_TRANSACTIONS = "onceflow.sink.transactions.pending";
  /** Counter, tags sink, phase (checkpoint | recovery): sink transactions committed. */
  public static final String SINK_TRANSACTIONS_COMMITTED = "onceflow.sink.transactions.committed";
  /** Counter, tag sink: open sink transactions aborted when an attempt was cancelled. */
  public static final String SINK_TRANSACTIONS_ABORTED = "onceflow.sink.transactions.aborted";
  /**
   * Timer, tag sink: for each checkpoint, from the earliest moment a record of its transactions can have been read
   * (the previous checkpoint's trigger, or the attempt's start) until its commit returned: the longest a committed
   * record waited to become visible. Percentiles p50, p99 (HdrHistogram-based).
   */
  public static final String SINK_VISIBILITY_DELAY = "onceflow.sink.visibility.delay";
  /** Counter: records a deduplicate() operator dropped as duplicates. */
  public static final String DEDUP_ABSORBED = "onceflow.dedup.absorbed";
  /** Counter, tag cause: attempts restarted after a failure. */
  public static final String RESTARTS = "onceflow.job.restarts";
  /** Counter, tag cause: attempts that failed (restarted or not). */
  public static final String ATTEMPT_FAILURES = "onceflow.job.attempt.failures";
  /** Gauge: id of the checkpoint the latest attempt restored, -1 if it started fresh. */
  public static final String RESTORED_CHECKPOINT = "onceflow.job.restored.checkpoint";
  /** Counter: checkpoints completed (sinks committed). */
  public static final String CHECKPOINTS_COMPLETED = "onceflow.checkpoints.completed";
  /** Counter, tag reason ({@link CheckpointFailureReason#tag()}): checkpoints discarded. */
  public static final String CHECKPOINT_FAILURES = "onceflow.checkpoints.failed";
  /** Gauge: id of the latest completed checkpoint, -1 if none. */
  public static final String LAST_CHECKPOINT = "onceflow.checkpoint.last.id";
  /** Timer: checkpoint trigger until every sink committed. */
  public static final String CHECKPOINT_DURATION = "onceflow.checkpoint.duration";
  /**
   * Timer, tag phase: acknowledge (trigger to last acknowledgement), barrier_start (trigger to the last source's
   * barrier injection), alignment (longest subtask alignment), sync_snapshot (longest synchronous snapshot on a task
   * thread), snapshot_write (longest asynchronous snapshot serialisation), metadata_write (write + fsyncs),
   * sink_commit.
   */
  public static final String CHECKPOINT_PHASE = "onceflow.checkpoint.phase.duration";
  /** Distribution summary (bytes): serialised size of a completed checkpoint. */
  public static final String CHECKPOINT_SIZE = "onceflow.checkpoint.size";
}
