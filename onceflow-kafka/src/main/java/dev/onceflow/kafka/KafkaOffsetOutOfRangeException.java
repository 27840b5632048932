package dev.onceflow.kafka;

import dev.onceflow.core.NonRecoverableException;

import org.apache.kafka.common.TopicPartition;

/**
 * Non-recoverable (a restart cannot help). A checkpointed offset of a partition is no longer in the partition (retention deleted it, or the topic was
 * recreated), so resuming there would skip records silently. Retrying cannot help: the job fails. Either accept the
 * loss explicitly ({@link KafkaSource.Builder#skipLostOffsets()}: the source resumes at the log start and counts the
 * skipped records) or restore the data.
 */
public final class KafkaOffsetOutOfRangeException extends NonRecoverableException {
  private final TopicPartition partition;
  private final long checkpointedOffset;
  private final long logStartOffset;
  private final long logEndOffset;

  /** The error for {@code partition}, restored at {@code checkpointedOffset}, holding [logStart, logEnd). */
  public KafkaOffsetOutOfRangeException(
      TopicPartition partition, long checkpointedOffset, long logStartOffset, long logEndOffset) {
    super("Kafka partition " + partition + ": the checkpointed offset " + checkpointedOffset
        + " is out of range (log start offset " + logStartOffset + ", log end offset " + logEndOffset + "); "
        + (checkpointedOffset < logStartOffset
            ? (logStartOffset - checkpointedOffset) + " records were deleted by retention before they were read. "
            : "the topic was probably deleted and recreated. ")
        + "Resuming would lose records silently, so the job stops. To accept the loss, build the source with "
        + "skipLostOffsets() (the skipped records are counted and logged); otherwise restore the data or raise the "
        + "topic's retention.ms");
    this.partition = partition;
    this.checkpointedOffset = checkpointedOffset;
    this.logStartOffset = logStartOffset;
    this.logEndOffset = logEndOffset;
  }

  /** The partition. */
  public TopicPartition partition() {
    return partition;
  }

  /** The offset the checkpoint recorded (the next record to read). */
  public long checkpointedOffset() {
    return checkpointedOffset;
  }

  /** The partition's log start offset when the error was found. */
  public long logStartOffset() {
    return logStartOffset;
  }

  /** The partition's log end offset when the error was found. */
  public long logEndOffset() {
    return logEndOffset;
  }
}
