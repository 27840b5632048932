package dev.onceflow.log;

import java.util.List;
import java.util.Set;

/**
 * A point-in-time view of a log directory, for operators ({@code onceflow log stat}) and tests.
 *
 * @param directory the log directory
 * @param partitions one entry per partition, ordered by topic and partition
 * @param transactions the open (ONGOING, PREPARED, PREPARE_COMMIT, PREPARE_ABORT) transactions
 * @param producerIdsAssigned how many producer ids the log has handed out
 */
public record LogStats(
    String directory, List<PartitionStats> partitions, List<TransactionStats> transactions, long producerIdsAssigned) {

  /** Copies the lists. */
  public LogStats {
    partitions = List.copyOf(partitions);
    transactions = List.copyOf(transactions);
  }

  /**
   * Offsets and storage of one partition.
   *
   * @param partition the partition
   * @param startOffset first offset still stored
   * @param endOffset high watermark (next offset to be assigned that readers can see)
   * @param lastStableOffset first offset of the earliest open transaction, else the end offset
   * @param segmentCount number of segment files
   * @param segmentBytes total bytes of segment files
   * @param producerIds producer ids with state in this partition (idempotent or transactional)
   */
  public record PartitionStats(
      TopicPartition partition, long startOffset, long endOffset, long lastStableOffset, int segmentCount,
      long segmentBytes, Set<Long> producerIds) {
    /** Copies the set. */
    public PartitionStats {
      producerIds = Set.copyOf(producerIds);
    }
  }

  /**
   * One open transaction.
   *
   * @param transactionalId its transactional id
   * @param producerId its producer id
   * @param epoch the current epoch of the producer id
   * @param transactionSequence its sequence within the transactional id
   * @param state its state
   * @param partitions partitions it wrote to
   * @param ageMillis time since it started
   */
  public record TransactionStats(
      String transactionalId, long producerId, short epoch, long transactionSequence, TransactionState state,
      Set<TopicPartition> partitions, long ageMillis) {
    /** Copies the set. */
    public TransactionStats {
      partitions = Set.copyOf(partitions);
    }
  }

  /** A human-readable multi-line rendering (what {@code onceflow log stat} prints). */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append("log ").append(directory).append('\n');
    sb.append(String.format("%-30s %12s %12s %12s %8s %14s  %s%n",
        "partition", "start", "end", "lso", "segments", "bytes", "producers"));
    for (PartitionStats p : partitions) {
      sb.append(String.format("%-30s %12d %12d %12d %8d %14d  %s%n", p.partition(), p.startOffset(), p.endOffset(),
          p.lastStableOffset(), p.segmentCount(), p.segmentBytes(), p.producerIds()));
    }
    sb.append("producer ids assigned: ").append(producerIdsAssigned).append('\n');
    sb.append("open transactions: ").append(transactions.size()).append('\n');
    for (TransactionStats t : transactions) {
      sb.append(String.format("  %s pid=%d epoch=%d seq=%d %s age=%dms partitions=%s%n", t.transactionalId(),
          t.producerId(), t.epoch(), t.transactionSequence(), t.state(), t.ageMillis(), t.partitions()));
    }
    return sb.toString();
  }
}
