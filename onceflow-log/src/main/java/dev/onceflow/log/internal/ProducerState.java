package dev.onceflow.log.internal;

import dev.onceflow.log.OutOfOrderSequenceException;
import dev.onceflow.log.ProducerFencedException;
import dev.onceflow.log.TopicPartition;

/**
 * What a partition remembers about one producer id: its epoch, its last sequence and its last
 * {@link #DEDUP_WINDOW} batches (to acknowledge a retried batch with its original offset). Rebuilt by the scan on
 * open. Guarded by the partition's append lock.
 */
final class ProducerState {
  static final int DEDUP_WINDOW = 5;

  final long producerId;
  short epoch;
  int lastSequence = -1;
  private final int[] baseSeqs = new int[DEDUP_WINDOW];
  private final int[] counts = new int[DEDUP_WINDOW];
  private final long[] baseOffsets = new long[DEDUP_WINDOW];
  private int size;
  private int next;

  ProducerState(long producerId, short epoch) {
    this.producerId = producerId;
    this.epoch = epoch;
  }

  /**
   * Checks a data batch. Returns the original base offset if it is a duplicate of a recent batch, -1 if it must be
   * appended.
   */
  long check(TopicPartition tp, short batchEpoch, int baseSeq, int count) {
    if (batchEpoch < epoch) {
      throw new ProducerFencedException("producer id " + producerId + " epoch " + batchEpoch + " is fenced on " + tp
          + " by epoch " + epoch + ": a newer instance owns it; close this producer");
    }
    if (batchEpoch > epoch) {
      if (baseSeq != 0) {
        throw new OutOfOrderSequenceException("producer id " + producerId + " new epoch " + batchEpoch + " must start at"
            + " sequence 0 on " + tp + ", got " + baseSeq + "; close the producer and start a new one");
      }
      return -1;
    }
    for (int i = 0; i < size; i++) {
      if (baseSeqs[i] == baseSeq && counts[i] == count) {
        return baseOffsets[i];
      }
    }
    if (baseSeq != lastSequence + 1) {
      throw new OutOfOrderSequenceException("producer id " + producerId + " sent sequence " + baseSeq + " on " + tp
          + " but the next expected is " + (lastSequence + 1) + " (not a retry of the last " + DEDUP_WINDOW
          + " batches); records may be missing: close the producer and restart from its last acknowledged state");
    }
    return -1;
  }

  /** Records an appended data batch. */
  void appended(short batchEpoch, int baseSeq, int count, long baseOffset) {
    if (batchEpoch != epoch) {
      epoch = batchEpoch;
      size = 0;
      next = 0;
    }
    lastSequence = baseSeq + count - 1;
    baseSeqs[next] = baseSeq;
    counts[next] = count;
    baseOffsets[next] = baseOffset;
    next = (next + 1) % DEDUP_WINDOW;
    size = Math.min(size + 1, DEDUP_WINDOW);
  }

  /** Checks and records a control marker's epoch: a newer epoch resets the sequence. */
  void markerEpoch(TopicPartition tp, short markerEpoch) {
    if (markerEpoch < epoch) {
      throw new ProducerFencedException("transaction marker of producer id " + producerId + " with epoch " + markerEpoch
          + " is fenced on " + tp + " by epoch " + epoch);
    }
    if (markerEpoch > epoch) {
      epoch = markerEpoch;
      lastSequence = -1;
      size = 0;
      next = 0;
    }
  }
}
