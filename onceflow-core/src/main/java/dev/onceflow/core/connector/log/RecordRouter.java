package dev.onceflow.core.connector.log;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicPartition;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;

/**
 * Encodes records and buffers them per partition so the log gets whole batches (its fast path). Keyed records go to
 * partition murmur(key) mod partitions (the same key always lands in the same partition, needed for upserts);
 * unkeyed ones round-robin.
 */
final class RecordRouter<T> {
  private static final int BATCH = 512;
  private final String topic;
  private final Encoder<? super T> keyEncoder;
  private final Encoder<? super T> valueEncoder;
  private final List<ProducerRecord>[] buffers;
  private int next;

  @SuppressWarnings("unchecked")
  RecordRouter(String topic, int partitions, Encoder<? super T> keyEncoder, Encoder<? super T> valueEncoder,
      int start) {
    this.topic = topic;
    this.keyEncoder = keyEncoder;
    this.valueEncoder = valueEncoder;
    this.buffers = new List[partitions];
    for (int i = 0; i < partitions; i++) {
      buffers[i] = new ArrayList<>(BATCH);
    }
    this.next = Math.floorMod(start, partitions); // more subtasks than partitions: start anywhere valid
  }

  /** Buffers one record; sends the partition's batch through {@code send} when full. */
  void add(T value, BiConsumer<TopicPartition, List<ProducerRecord>> send) {
    byte[] key = keyEncoder == null ? null : keyEncoder.encode(value);
    int p;
    if (key != null) {
      int h = Arrays.hashCode(key);
      h ^= h >>> 16;
      h *= 0x85ebca6b;
      h ^= h >>> 13;
      p = Math.floorMod(h, buffers.length);
    } else {
      p = next;
      next = (next + 1) % buffers.length;
    }
    List<ProducerRecord> b = buffers[p];
    b.add(new ProducerRecord(key, valueEncoder.encode(value), System.currentTimeMillis(), null));
    if (b.size() >= BATCH) {
      flush(p, send);
    }
  }

  /** Sends every non-empty buffer. */
  void flushAll(BiConsumer<TopicPartition, List<ProducerRecord>> send) {
    for (int p = 0; p < buffers.length; p++) {
      flush(p, send);
    }
  }

  private void flush(int p, BiConsumer<TopicPartition, List<ProducerRecord>> send) {
    if (!buffers[p].isEmpty()) {
      send.accept(new TopicPartition(topic, p), buffers[p]);
      buffers[p] = new ArrayList<>(BATCH);
    }
  }

  void clear() {
    for (int p = 0; p < buffers.length; p++) {
      buffers[p] = new ArrayList<>(BATCH);
    }
  }
}
