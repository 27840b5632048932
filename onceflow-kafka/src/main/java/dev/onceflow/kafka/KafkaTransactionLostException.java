package dev.onceflow.kafka;

import dev.onceflow.core.NonRecoverableException;

/**
 * Non-recoverable: a transaction that a completed checkpoint recorded can no longer be committed: the broker aborted it, usually
 * because the job stayed down longer than its {@code transaction.timeout.ms}, so that checkpoint's output is gone
 * from Kafka while the pipeline's state and source positions moved past it. Never silent: the job fails naming the
 * checkpoint and transaction. Recover by replaying from an earlier point, or accept the loss explicitly; set a
 * transaction timeout longer than the longest outage you need to survive (the broker caps it with {@code
 * transaction.max.timeout.ms}, 15 minutes by default).
 */
public final class KafkaTransactionLostException extends NonRecoverableException {
  private final long checkpointId;
  private final String transactionalId;

  /** The error for the transaction of {@code checkpointId} under {@code transactionalId}. */
  public KafkaTransactionLostException(long checkpointId, String transactionalId, String detail) {
    super("the Kafka transaction of completed checkpoint " + checkpointId + " (transactional id " + transactionalId
        + ") was aborted by the broker before it could be committed, so that checkpoint's output is lost: " + detail
        + ". Raise the sink's transactionTimeout (and the broker's transaction.max.timeout.ms) above the longest "
        + "outage the job must survive");
    this.checkpointId = checkpointId;
    this.transactionalId = transactionalId;
  }

  /** The checkpoint whose output was lost. */
  public long checkpointId() {
    return checkpointId;
  }

  /** The transactional id of the lost transaction. */
  public String transactionalId() {
    return transactionalId;
  }
}
