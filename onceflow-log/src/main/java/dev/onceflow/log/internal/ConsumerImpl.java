package dev.onceflow.log.internal;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Isolation;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.TopicPartition;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** A single-threaded consumer: positions per assigned partition, round-robin polling. */
final class ConsumerImpl implements Consumer {
  private final LogImpl log;
  private final ConsumerConfig config;
  private final boolean readCommitted;
  private final LinkedHashMap<TopicPartition, Long> positions = new LinkedHashMap<>();
  private final PartitionReader reader;
  private int nextPartition;
  private boolean closed;

  ConsumerImpl(LogImpl log, ConsumerConfig config) {
    this.log = log;
    this.config = config;
    this.readCommitted = config.isolation() == Isolation.READ_COMMITTED;
    this.reader = new PartitionReader(config.failOnDeletedPositions());
  }

  @Override
  public void assign(Collection<TopicPartition> partitions) {
    ensureOpen();
    LinkedHashMap<TopicPartition, Long> next = new LinkedHashMap<>();
    for (TopicPartition tp : partitions) {
      PartitionLog p = log.partition(tp);
      Long pos = positions.get(tp);
      if (pos == null) {
        pos = config.groupId().map(g -> log.committedOffset(g, tp)).filter(o -> o.isPresent())
            .map(o -> o.getAsLong()).orElse(p.startOffset());
      }
      next.put(tp, pos);
    }
    positions.clear();
    positions.putAll(next);
    nextPartition = 0;
  }

  @Override
  public Set<TopicPartition> assignment() {
    return Set.copyOf(positions.keySet());
  }

  @Override
  public void seek(TopicPartition tp, long offset) {
    PartitionLog p = partitionOf(tp);
    positions.put(tp, reader.checkPosition(p, Math.min(offset, p.endOffset())));
  }

  @Override
  public void seekToBeginning(TopicPartition tp) {
    positions.put(tp, partitionOf(tp).startOffset());
  }

  @Override
  public void seekToTimestamp(TopicPartition tp, long timestamp) {
    PartitionLog p = partitionOf(tp);
    long end = p.endOffset();
    long pos = p.startOffset();
    // skip whole segments whose newest record is older than the timestamp, then scan records
    for (Segment s : p.segments.values()) {
      if (s.maxTimestamp() < timestamp && s.nextOffset() <= end) {
        pos = Math.max(pos, s.nextOffset());
      } else {
        break;
      }
    }
    List<LogRecord> batch = new ArrayList<>();
    while (pos < end) {
      batch.clear();
      long next = reader.read(p, pos, 512, false, batch);
      for (LogRecord r : batch) {
        if (r.timestamp() >= timestamp) {
          positions.put(tp, r.offset());
          return;
        }
      }
      if (next <= pos) {
        break;
      }
      pos = next;
    }
    positions.put(tp, end);
  }

  @Override
  public long position(TopicPartition tp) {
    Long pos = positions.get(tp);
    if (pos == null) {
      throw new IllegalStateException(tp + " is not assigned to this consumer; assign it first");
    }
    return pos;
  }

  @Override
  public List<LogRecord> poll(int maxRecords) {
    ensureOpen();
    if (maxRecords < 1) {
      throw new IllegalArgumentException("maxRecords must be >= 1, was " + maxRecords);
    }
    log.context().check();
    List<LogRecord> out = new ArrayList<>(Math.min(maxRecords, 1024));
    int n = positions.size();
    if (n == 0) {
      return out;
    }
    List<Map.Entry<TopicPartition, Long>> entries = new ArrayList<>(positions.entrySet());
    for (int i = 0; i < n && out.size() < maxRecords; i++) {
      Map.Entry<TopicPartition, Long> e = entries.get((nextPartition + i) % n);
      PartitionLog p = log.partition(e.getKey());
      long next = reader.read(p, e.getValue(), maxRecords - out.size(), readCommitted, out);
      e.setValue(next);
    }
    nextPartition = (nextPartition + 1) % n;
    return out;
  }

  @Override
  public List<LogRecord> poll(int maxRecords, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long version = log.context().dataVersion();
      List<LogRecord> out = poll(maxRecords);
      long left = deadline - System.nanoTime();
      if (!out.isEmpty() || left <= 0) {
        return out;
      }
      try {
        log.context().awaitData(version, left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return out;
      }
      log.context().check();
    }
  }

  @Override
  public void commitSync(Map<TopicPartition, Long> offsets) {
    ensureOpen();
    String group = config.groupId().orElseThrow(() -> new IllegalStateException(
        "commitSync needs a consumer group: create the consumer with ConsumerConfig.withGroupId(...)"));
    log.context().check();
    log.coordinator().commitGroup(group, Map.copyOf(offsets));
  }

  @Override
  public boolean atEnd(TopicPartition tp) {
    PartitionLog p = partitionOf(tp);
    long pos = position(tp);
    if (!readCommitted) {
      return pos >= p.endOffset();
    }
    long end = p.endOffset();
    return p.lastStableOffset() >= end && pos >= end;
  }

  private PartitionLog partitionOf(TopicPartition tp) {
    ensureOpen();
    if (!positions.containsKey(tp)) {
      throw new IllegalStateException(tp + " is not assigned to this consumer; assign it first");
    }
    return log.partition(tp);
  }

  private void ensureOpen() {
    if (closed) {
      throw new IllegalStateException("consumer is closed");
    }
  }

  @Override
  public void close() {
    closed = true;
  }

}
