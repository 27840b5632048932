package dev.onceflow.log.internal;

import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicPartition;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Plain ({@code producerId == -1}) and idempotent producers. Encoding happens outside every lock; the per-partition
 * sequence is taken and the batch appended under a small per-partition monitor (so sequences reach the log in
 * order), and the durability wait happens after both locks are released so that concurrent senders share forces.
 */
public final class ProducerImpl implements Producer {
  private static final short EPOCH = 0;

  private final LogImpl log;
  private final long producerId;
  private final ConcurrentHashMap<TopicPartition, int[]> sequences = new ConcurrentHashMap<>();
  private volatile boolean closed;

  ProducerImpl(LogImpl log, long producerId) {
    this.log = log;
    this.producerId = producerId;
  }

  @Override
  public long send(TopicPartition tp, ProducerRecord record) {
    return sendBatch(tp, List.of(record));
  }

  @Override
  public long sendBatch(TopicPartition tp, List<ProducerRecord> records) {
    ensureOpen();
    PartitionLog p = log.partition(tp);
    ByteBuffer batch = BatchCodec.encode(records);
    long maxTs = batch.getLong(BatchCodec.OFF_MAX_TS);
    long[] r;
    if (producerId < 0) {
      r = p.append(batch, records.size(), maxTs, -1, (short) -1, -1, -1);
    } else {
      int[] seq = sequences.computeIfAbsent(tp, k -> new int[1]);
      synchronized (seq) {
        r = p.append(batch, records.size(), maxTs, producerId, EPOCH, seq[0], -1);
        seq[0] += records.size();
      }
    }
    p.awaitAck(r[1]);
    return r[0];
  }

  /**
   * Test hook: sends a batch with an explicit base sequence (a retry of an earlier batch, or a gap), without touching
   * the producer's own sequence counter. Returns the base offset (the original one for a duplicate).
   */
  public long sendWithSequence(TopicPartition tp, List<ProducerRecord> records, int baseSequence) {
    ensureOpen();
    if (producerId < 0) {
      throw new IllegalStateException("a plain producer has no sequences");
    }
    PartitionLog p = log.partition(tp);
    ByteBuffer batch = BatchCodec.encode(records);
    long[] r = p.append(batch, records.size(), batch.getLong(BatchCodec.OFF_MAX_TS), producerId, EPOCH, baseSequence,
        -1);
    p.awaitAck(r[1]);
    return r[0];
  }

  /** Test hook: the next sequence this producer will use on tp. */
  public int nextSequence(TopicPartition tp) {
    int[] seq = sequences.get(tp);
    return seq == null ? 0 : seq[0];
  }

  @Override
  public long producerId() {
    return producerId;
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("producer " + producerId + " is closed; obtain a new one from the Log");
    }
  }

  @Override
  public void close() {
    closed = true;
  }

  @Override
  public String toString() {
    return "Producer[id=" + producerId + "]";
  }
}
