package dev.onceflow.core.metrics;

/**
 * One step of a job's recovery story: an attempt failed, or an attempt started and recovered (restored a checkpoint,
 * resolved the sink transactions left by earlier attempts or processes).
 *
 * @param atMillis wall-clock time
 * @param kind what happened
 * @param attempt the attempt (1-based) that failed or that recovered
 * @param cause the failure's exception class and message (ATTEMPT_FAILED), else null
 * @param checkpointId the checkpoint restored (RECOVERED), or -1 for a fresh start
 * @param transactionsCommitted sink transactions recorded in the restored checkpoint and committed by recovery
 * @param subtasksResolved sink subtask indexes whose lingering (unrecorded) transactions recovery aborted
 */
public record RecoveryEvent(
    long atMillis,
    Kind kind,
    int attempt,
    String cause,
    long checkpointId,
    int transactionsCommitted,
    int subtasksResolved) {

  /** The kind of a recovery event. */
  public enum Kind {
    /** An attempt failed; a restart may follow. */
    ATTEMPT_FAILED,
    /** An attempt restored its state and resolved sink transactions, and is about to run. */
    RECOVERED
  }
}
