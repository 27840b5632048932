package dev.onceflow.log;

/**
 * A read position is below the partition's start offset: retention deleted the records in
 * [{@link #position()}, {@link #startOffset()}) before the reader got to them. Thrown by a consumer configured with
 * {@link ConsumerConfig#withFailOnDeletedPositions()} instead of silently moving the position up to the start offset.
 * Fatal ({@link #retriable()} is false): the records are gone, so retrying reads the same position; the caller must
 * decide whether to accept the loss (seek to the start offset) or restore the data.
 */
public final class OffsetOutOfRangeException extends LogException {
  private final TopicPartition partition;
  private final long position;
  private final long startOffset;

  /** With the partition, the position asked for, the partition's start offset, and a message naming the fix. */
  public OffsetOutOfRangeException(String message, TopicPartition partition, long position, long startOffset) {
    super(message);
    this.partition = partition;
    this.position = position;
    this.startOffset = startOffset;
  }

  /** The partition. */
  public TopicPartition partition() {
    return partition;
  }

  /** The position asked for (next offset to read). */
  public long position() {
    return position;
  }

  /** The partition's first stored offset when the read was refused. */
  public long startOffset() {
    return startOffset;
  }

  /** Fatal: {@inheritDoc} */
  @Override
  public boolean retriable() {
    return false;
  }
}
