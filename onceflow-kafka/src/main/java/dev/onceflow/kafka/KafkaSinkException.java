package dev.onceflow.kafka;

import dev.onceflow.core.NonRecoverableException;

/**
 * Non-recoverable: Kafka refused a record or a transaction step for a reason retrying does not fix (record too large, not
 * authorised, fenced by another producer with the same transactional id...). The record is not dropped: the job
 * fails with this reason.
 */
public final class KafkaSinkException extends NonRecoverableException {
  /** The failure, with its cause from kafka-clients. */
  public KafkaSinkException(String message, Throwable cause) {
    super(message, cause);
  }
}
