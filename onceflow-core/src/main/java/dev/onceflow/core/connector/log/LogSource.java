package dev.onceflow.core.connector.log;

import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Header;
import dev.onceflow.log.Headers;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.OffsetOutOfRangeException;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a topic of the embedded log, read-committed. Partition p goes to subtask p mod parallelism; the position of
 * every partition (next offset) is stored in checkpoints and restored, so replay is exact.
 *
 * <p>{@link #bounded()} makes the source stop at the last stable offsets observed when the job first starts; those end
 * offsets are part of the position, so a restarted job stops at the same place. Records that fail to decode are
 * written to the topic {@code <topic>.dlq} (with the error text in header {@code error} and {@code topic-partition@offset}
 * in header {@code source}), counted in the job metrics, and skipped, unless the pipeline fails on decode errors. A
 * replay after a restart does not write a bad record to the dead-letter topic again. Event timestamps are the records' log timestamps.
 *
 * <p><b>Retention.</b> The pipeline's positions are held against retention through a consumer group, by default
 * {@code onceflow.<job name>} ({@link #groupId(String)} to choose another): a fresh start commits its start offsets,
 * and every completed checkpoint commits its checkpointed positions ({@link #checkpointCompleted}). The log's
 * retention never deletes a segment at or after the smallest offset any group committed for the partition (unless
 * the topic sets {@code retentionIgnoresConsumerGroups}), so everything a restore can still read stays. Under
 * AT_MOST_ONCE the durable per-batch positions are never behind the checkpointed ones, and a restore replays from
 * the checkpointed ones, so the same hold covers them. A pipeline that will never run again keeps its hold until its
 * group is deleted ({@code onceflow log group delete --dir D --group onceflow.<job>}).
 *
 * <p><b>Deleted positions.</b> If a position to read from is below the partition's start offset anyway (retention
 * ignoring groups, a group deleted by hand, data deleted before this version), the source never skips silently: it
 * fails with {@link OffsetOutOfRangeException} (fatal, not retried) naming the topic, partition, position and start
 * offset, unless it was built with {@link #skipDeletedPositions()}, in which case it moves on, logs a warning, and
 * counts the skipped offsets in {@link #deletedOffsetsSkipped()}.
 *
 * <p>Position format (version 1): int8 version = 1, partition count (int), per partition: partition (int), next
 * offset (long), end offset (long, -1 when unbounded). A position without the version byte (it starts with a zero
 * byte: the high byte of the partition count) is version 0, read the same way; any other version is refused.
 */
public final class LogSource<T> implements Source<T> {
  private static final long HOLD_BACK = SourceReader.HOLD_BACK;
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LogSource.class);
  private static final byte POSITION_VERSION = 1;
  private final Log log;
  private final String topic;
  private final Decoder<T> decoder;
  private final boolean bounded;
  private final boolean skipDeleted;
  private final String groupOverride;
  /** The group holding this pipeline's positions; set by the first reader (it knows the job name). */
  private volatile String group;
  private final java.util.concurrent.atomic.AtomicLong deletedSkipped = new java.util.concurrent.atomic.AtomicLong();

  private LogSource(Log log, String topic, Decoder<T> decoder, boolean bounded, boolean skipDeleted,
      String groupOverride) {
    this.log = Objects.requireNonNull(log, "log");
    this.topic = Objects.requireNonNull(topic, "topic");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.bounded = bounded;
    this.skipDeleted = skipDeleted;
    this.groupOverride = groupOverride;
  }

  /** An unbounded source over {@code topic} (which must exist). */
  public static <T> LogSource<T> of(Log log, String topic, Decoder<T> decoder) {
    return new LogSource<>(log, topic, decoder, false, false, null);
  }

  /** The same source, bounded: it ends at the last stable offsets observed when the job first started. */
  public LogSource<T> bounded() {
    return new LogSource<>(log, topic, decoder, true, skipDeleted, groupOverride);
  }

  /**
   * The same source, accepting the loss of records retention deleted before it read them: a position below the start
   * offset moves up to it, with a warning naming partition, position and start offset, and the number of offsets
   * skipped (records, plus any transaction markers among them) is added to {@link #deletedOffsetsSkipped()}. Without
   * it (the default) such a position fails the job with {@link OffsetOutOfRangeException}.
   */
  public LogSource<T> skipDeletedPositions() {
    return new LogSource<>(log, topic, decoder, bounded, true, groupOverride);
  }

  /**
   * The same source, holding its positions in consumer group {@code groupId} instead of {@code onceflow.<job name>}
   * (use a distinct group per pipeline reading the topic).
   */
  public LogSource<T> groupId(String groupId) {
    Objects.requireNonNull(groupId, "groupId");
    if (groupId.isEmpty()) {
      throw new IllegalArgumentException("LogSource.groupId must not be empty");
    }
    return new LogSource<>(log, topic, decoder, bounded, skipDeleted, groupId);
  }

  /**
   * Offsets this source (all its readers in this process) skipped because retention had deleted them before they
   * were read; always 0 unless built with {@link #skipDeletedPositions()}. The records there are lost to the job.
   */
  public long deletedOffsetsSkipped() {
    return deletedSkipped.get();
  }

  /** The consumer group holding this pipeline's positions, or empty before a reader was created. */
  public Optional<String> group() {
    return Optional.ofNullable(group);
  }

  /**
   * Commits the checkpointed positions as the offsets of this pipeline's group, so that retention keeps every
   * record a restore of this (or a later) checkpoint reads. Best effort: a missed commit only holds more.
   */
  @Override
  public void checkpointCompleted(long checkpointId, List<byte[]> subtaskPositions) {
    String g = group;
    if (g == null) {
      return; // no reader in this process: nobody knows the job name
    }
    Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
    for (byte[] position : subtaskPositions) {
      if (position != null) {
        decode(position).forEach((p, pos) -> offsets.put(new TopicPartition(topic, p), pos[0]));
      }
    }
    if (!offsets.isEmpty()) {
      log.commitOffsets(g, offsets);
    }
  }

  @Override
  public String name() {
    return "log-" + topic;
  }

  @Override
  public SourceReader<T> createReader(SourceContext ctx) {
    if (!log.topicExists(topic)) {
      throw new IllegalArgumentException("LogSource: topic '" + topic + "' does not exist; create it first");
    }
    String g = groupOverride != null ? groupOverride : "onceflow." + ctx.jobName();
    group = g;
    Map<Integer, long[]> positions = new LinkedHashMap<>();
    if (ctx.restoredPosition().isPresent()) {
      positions = decode(ctx.restoredPosition().get());
      for (var e : positions.entrySet()) {
        long[] pos = e.getValue();
        if (pos[1] < 0 || pos[0] < pos[1]) { // a bounded partition read to its end needs nothing more
          pos[0] = checkNotDeleted(e.getKey(), pos[0], "restored");
        }
      }
    } else {
      int partitions = log.partitions(topic);
      for (int p = ctx.subtask(); p < partitions; p += ctx.parallelism()) {
        TopicPartition tp = new TopicPartition(topic, p);
        positions.put(p, new long[] {holdStart(g, tp), bounded ? log.lastStableOffset(tp) : -1});
      }
    }
    return new Reader(positions);
  }

  /**
   * A fresh start's position in tp: the start offset, committed for the group first so that retention cannot delete
   * it before the first checkpoint (a restart before it starts here again). Retried if retention moved the start
   * between reading it and committing it (nothing was read yet, so nothing is lost).
   */
  private long holdStart(String g, TopicPartition tp) {
    while (true) {
      long start = log.startOffset(tp);
      log.commitOffsets(g, Map.of(tp, start));
      if (log.startOffset(tp) == start) {
        return start;
      }
    }
  }

  /** The position to read partition p from: {@code position}, unless retention deleted it (fail, or skip and count). */
  private long checkNotDeleted(int p, long position, String what) {
    TopicPartition tp = new TopicPartition(topic, p);
    long start = log.startOffset(tp);
    if (position >= start) {
      return position;
    }
    if (skipDeleted) {
      deletedSkipped.addAndGet(start - position);
      LOG.warn("LogSource {}: the {} position {} of {} is below its start offset {}: retention deleted {} offsets"
          + " before they were read; skipping them as lost (skipDeletedPositions)", topic, what, position, tp, start,
          start - position);
      return start;
    }
    throw new OffsetOutOfRangeException("LogSource of topic '" + topic + "': the " + what + " position " + position
        + " of partition " + p + " is below the partition's log start offset " + start + ": retention deleted the "
        + (start - position) + " offsets [" + position + ", " + start + ") before this pipeline read them. The job"
        + " stops rather than skip them silently. To go on accepting the loss, build the source with"
        + " LogSource.skipDeletedPositions() (the skipped offsets are counted); to keep them, restore the deleted"
        + " segments; to start over from the current start, use a new checkpoint directory. Retention holds a"
        + " pipeline's positions through its consumer group ('" + group + "') unless the topic sets"
        + " retentionIgnoresConsumerGroups or the group was deleted", tp, position, start);
  }

  /** Partitions are the splits: each moves with its position to the subtask that owns it at the new parallelism. */
  @Override
  public boolean rescalable() {
    return true;
  }

  @Override
  public Optional<byte[]> rescalePosition(List<byte[]> oldPositions, int subtask, int parallelism) {
    Map<Integer, long[]> all = new java.util.TreeMap<>();
    for (byte[] old : oldPositions) {
      if (old != null) {
        all.putAll(decode(old));
      }
    }
    if (all.isEmpty()) {
      return Optional.empty();
    }
    Map<Integer, long[]> mine = new LinkedHashMap<>();
    int partitions = log.partitions(topic);
    for (int p = subtask; p < partitions; p += parallelism) {
      TopicPartition tp = new TopicPartition(topic, p);
      // a partition no old subtask recorded (none should be missing) starts where a fresh job would
      mine.put(p, all.getOrDefault(p, new long[] {log.startOffset(tp), bounded ? log.lastStableOffset(tp) : -1}));
    }
    return Optional.of(encode(mine));
  }

  private final class Reader implements SourceReader<T> {
    private final Map<Integer, long[]> positions; // partition -> {next, end}
    private final dev.onceflow.log.Consumer consumer;
    private Producer dlq;
    private Map<Integer, Long> deadLettered;
    private final Map<Integer, Long> maxTimestamps = new java.util.HashMap<>();
    /** partition -> {next, end} as of the latest poll, for {@link #lag()} on a metrics thread. */
    private final Map<Integer, long[]> published = new java.util.concurrent.ConcurrentHashMap<>();

    Reader(Map<Integer, long[]> positions) {
      this.positions = positions;
      // strict: retention deleting records under a running reader must not skip them silently either
      this.consumer = log.consumer(ConsumerConfig.readCommitted().withFailOnDeletedPositions());
      List<TopicPartition> tps = new ArrayList<>();
      for (int p : positions.keySet()) {
        tps.add(new TopicPartition(topic, p));
      }
      consumer.assign(tps);
      for (var e : positions.entrySet()) {
        consumer.seek(new TopicPartition(topic, e.getKey()), e.getValue()[0]);
      }
      publish();
    }

    private void publish() {
      for (var e : positions.entrySet()) {
        published.put(e.getKey(), new long[] {e.getValue()[0], e.getValue()[1]});
      }
    }

    /** Read-committed end (or the bounded end) minus the next offset, per partition. */
    @Override
    public Map<String, Long> lag() {
      Map<String, Long> lag = new java.util.TreeMap<>();
      for (var e : published.entrySet()) {
        long[] pos = e.getValue();
        long end = log.lastStableOffset(new TopicPartition(topic, e.getKey()));
        if (pos[1] >= 0) {
          end = Math.min(end, pos[1]);
        }
        lag.put(topic + "-" + e.getKey(), Math.max(0, end - pos[0]));
      }
      return lag;
    }

    private boolean done(int partition) {
      long[] pos = positions.get(partition);
      return pos[1] >= 0 && pos[0] >= pos[1];
    }

    @Override
    public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
      if (bounded && allDone()) {
        return ReadStatus.END_OF_INPUT;
      }
      if (positions.isEmpty()) {
        // no partition for this subtask: idle (unbounded); wait briefly so the runtime loop does not spin
        consumer.poll(1, Duration.ofMillis(10));
        return ReadStatus.NOTHING_AVAILABLE;
      }
      List<LogRecord> records;
      try {
        records = consumer.poll(maxRecords, Duration.ofMillis(10));
      } catch (OffsetOutOfRangeException e) {
        int p = e.partition().partition();
        long[] pos = positions.get(p);
        long next = checkNotDeleted(p, Math.max(pos[0], e.position()), "current"); // throws unless skipping
        pos[0] = next;
        consumer.seek(e.partition(), next);
        return ReadStatus.MORE_AVAILABLE;
      }
      for (LogRecord r : records) {
        long[] pos = positions.get(r.partition());
        if (pos[1] >= 0 && r.offset() >= pos[1]) {
          continue; // beyond the bounded end
        }
        pos[0] = r.offset() + 1;
        T value;
        try {
          value = decoder.decode(r.value());
        } catch (Exception e) {
          deadLetter(r, e);
          output.decodeFailed(topic + "-" + r.partition() + "@" + r.offset(), e);
          continue;
        }
        output.collect(value, r.timestamp());
        maxTimestamps.merge(r.partition(), r.timestamp(), Math::max);
      }
      // Control markers and aborted data move the consumer position past the last record returned.
      for (var e : positions.entrySet()) {
        long[] pos = e.getValue();
        long consumerPos = consumer.position(new TopicPartition(topic, e.getKey()));
        long next = pos[1] >= 0 ? Math.min(consumerPos, pos[1]) : consumerPos;
        if (next > pos[0]) {
          pos[0] = next;
        }
      }
      publish(); // a few small arrays per batch, so a scrape never reads the task thread's arrays
      if (bounded && allDone()) {
        return ReadStatus.END_OF_INPUT;
      }
      return records.isEmpty() ? ReadStatus.NOTHING_AVAILABLE : ReadStatus.MORE_AVAILABLE;
    }

    private boolean allDone() {
      for (int p : positions.keySet()) {
        if (!done(p)) {
          return false;
        }
      }
      return true;
    }

    private void deadLetter(LogRecord r, Exception e) {
      String dlqTopic = topic + ".dlq";
      if (dlq == null) {
        log.createTopic(dlqTopic, TopicConfig.partitions(1));
        dlq = log.idempotentProducer();
        deadLettered = deadLetteredBefore(dlqTopic);
      }
      Long last = deadLettered.get(r.partition());
      if (last != null && r.offset() <= last) {
        return; // dead-lettered before a restart; the replay must not repeat it
      }
      String error = String.valueOf(e);
      Headers headers = Headers.of(
          new Header("error", error.getBytes(StandardCharsets.UTF_8)),
          new Header("source", (r.topic() + "-" + r.partition() + "@" + r.offset()).getBytes(StandardCharsets.UTF_8)));
      dlq.send(new TopicPartition(dlqTopic, 0), new ProducerRecord(r.key(), r.value(), r.timestamp(), headers));
      deadLettered.put(r.partition(), r.offset());
    }

    /**
     * The highest offset of each of this reader's partitions already in the dead-letter topic. A partition is read by
     * one subtask at a time, in offset order, and each send is acknowledged before the next record is read, so every
     * bad record at or below that offset is in the topic already: a replay after a restart skips them, which makes the
     * dead-letter topic hold each bad record once under every guarantee.
     */
    private Map<Integer, Long> deadLetteredBefore(String dlqTopic) {
      Map<Integer, Long> last = new java.util.HashMap<>();
      String prefix = topic + "-";
      TopicPartition tp = new TopicPartition(dlqTopic, 0);
      try (dev.onceflow.log.Consumer c = log.consumer(ConsumerConfig.readUncommitted())) {
        c.assign(List.of(tp));
        c.seekToBeginning(tp);
        long end = log.endOffset(tp);
        while (c.position(tp) < end) {
          for (LogRecord d : c.poll(10_000, Duration.ofMillis(1))) {
            byte[] source = d.headers().lastValue("source");
            String s = source == null ? "" : new String(source, StandardCharsets.UTF_8);
            int at = s.lastIndexOf('@');
            if (!s.startsWith(prefix) || at < prefix.length()) {
              continue; // not one of this topic's records
            }
            try {
              int partition = Integer.parseInt(s.substring(prefix.length(), at));
              long offset = Long.parseLong(s.substring(at + 1));
              if (positions.containsKey(partition)) {
                last.merge(partition, offset, Math::max);
              }
            } catch (NumberFormatException ignored) {
              // a "source" header this source did not write (e.g. a topic whose name extends ours): not ours
            }
          }
        }
      }
      return last;
    }

    @Override
    public byte[] snapshotPosition() {
      return encode(positions);
    }

    /** Every partition of {@code position} is read up to its offset there (one not assigned here has nothing). */
    @Override
    public boolean hasReached(byte[] position) {
      for (var e : decode(position).entrySet()) {
        long[] mine = positions.get(e.getKey());
        if (mine != null && mine[0] < e.getValue()[0]) {
          return false;
        }
      }
      return true;
    }

    @Override
    public long currentWatermark() {
      if (positions.isEmpty()) {
        return Long.MAX_VALUE;
      }
      long min = Long.MAX_VALUE;
      for (var e : positions.entrySet()) {
        int p = e.getKey();
        if (done(p)) {
          continue;
        }
        Long max = maxTimestamps.get(p);
        if (max != null) {
          min = Math.min(min, max);
        } else if (log.lastStableOffset(new TopicPartition(topic, p)) > e.getValue()[0]) {
          return HOLD_BACK; // data waiting in a partition not read yet: its timestamps are unknown
        }
        // else: nothing to read in this partition: idle, it does not hold the watermark back
      }
      return min == Long.MAX_VALUE ? Long.MIN_VALUE : min;
    }

    @Override
    public void close() {
      consumer.close();
      if (dlq != null) {
        dlq.close();
      }
    }
  }

  private static byte[] encode(Map<Integer, long[]> positions) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(POSITION_VERSION);
      out.writeInt(positions.size());
      for (var e : positions.entrySet()) {
        out.writeInt(e.getKey());
        out.writeLong(e.getValue()[0]);
        out.writeLong(e.getValue()[1]);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Map<Integer, long[]> decode(byte[] b) {
    try {
      DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(b));
      byte version = b.length > 0 ? b[0] : 0;
      if (version == POSITION_VERSION) {
        in.readByte();
      } else if (version != 0) { // 0: version 0, whose first byte is the partition count's high byte
        throw new IllegalArgumentException("LogSource position in checkpoint has version " + version + "; this"
            + " Onceflow reads versions 0 and " + POSITION_VERSION + ". Restore it with the version that wrote it");
      }
      int n = in.readInt();
      Map<Integer, long[]> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        int p = in.readInt();
        m.put(p, new long[] {in.readLong(), in.readLong()});
      }
      return m;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt LogSource position in checkpoint", e);
    }
  }
}
