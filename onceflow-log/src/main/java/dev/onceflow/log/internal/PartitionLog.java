package dev.onceflow.log.internal;

import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;

/**
 * One partition: its segments, its producer state, its transaction index, appends with group commit, and recovery.
 *
 * <p>Group commit: appenders write under {@link #appendLock} (short: checks, offset assignment, CRC, one write), then
 * wait outside it until a force covering their offset is done. The first waiter to find no force running becomes the
 * leader: it captures the written end and the active segment, forces once, and wakes everyone it covered; followers
 * that arrived meanwhile are covered by the next force. So N concurrent appenders cost about two forces, not N.
 */
final class PartitionLog {
  final TopicPartition tp;
  final Path dir;
  final TopicConfig config;
  private final LogContext ctx;

  final ConcurrentSkipListMap<Long, Segment> segments = new ConcurrentSkipListMap<>();
  private final ReentrantLock appendLock = new ReentrantLock();
  private Segment active;
  private final Map<Long, ProducerState> producers = new HashMap<>();
  final TxnIndex txns = new TxnIndex();
  private volatile long writtenEnd;
  private volatile long highWatermark;
  private volatile long startOffset;

  private final ReentrantLock flushLock = new ReentrantLock();
  private final Condition flushed = flushLock.newCondition();
  private volatile long durableEnd;
  private boolean forcing;
  private final java.util.concurrent.atomic.AtomicLong forces = new java.util.concurrent.atomic.AtomicLong();

  private PartitionLog(TopicPartition tp, Path dir, TopicConfig config, LogContext ctx) {
    this.tp = tp;
    this.dir = dir;
    this.config = config;
    this.ctx = ctx;
  }

  /** Opens the partition directory, scanning every segment and truncating a torn tail. */
  static PartitionLog open(TopicPartition tp, Path dir, TopicConfig config, LogContext ctx) throws IOException {
    PartitionLog p = new PartitionLog(tp, dir, config, ctx);
    List<Path> files = List.of();
    if (!ctx.readOnly()) {
      Files.createDirectories(dir);
    }
    if (Files.isDirectory(dir)) {
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(f -> f.getFileName().toString().endsWith(Segment.SUFFIX)).sorted().toList();
      }
    }
    if (files.isEmpty() && ctx.readOnly()) {
      p.segments.put(0L, Segment.emptyReadOnly(dir, 0));
    } else if (files.isEmpty()) {
      Segment s = Segment.create(dir, 0);
      p.segments.put(0L, s);
      ctx.fsyncDirectory(dir);
    } else {
      SegmentScanner scanner = new SegmentScanner(p);
      long expected = -1;
      for (int i = 0; i < files.size(); i++) {
        Path f = files.get(i);
        String name = f.getFileName().toString();
        long base = Long.parseLong(name.substring(0, name.length() - Segment.SUFFIX.length()));
        if (expected >= 0 && base != expected) {
          throw new CorruptLogException("segment " + f + " starts at offset " + base + " but the previous segment ends"
              + " at " + expected + ": a segment is missing or corrupt; restore it or delete the later segments");
        }
        Segment seg = Segment.openExisting(f, base, ctx.readOnly());
        p.segments.put(base, seg);
        expected = scanner.scan(seg, i == files.size() - 1);
      }
    }
    p.active = p.segments.lastEntry().getValue();
    for (Segment s : p.segments.values()) {
      if (s != p.active) {
        // Segments sealed by a process under the OS policy were never forced: one opened under a forcing policy
        // promises that what it serves is durable, so it forces them now (cheap when the data is already on disk).
        if (s.seal(ctx.forces())) {
          ctx.sealForces.incrementAndGet();
        }
      }
    }
    p.startOffset = p.segments.firstKey();
    long end = p.active.nextOffset();
    if (ctx.forces()) {
      p.active.sync(); // what survived in the page cache is now durable too
    }
    p.writtenEnd = end;
    p.durableEnd = end;
    p.highWatermark = end;
    return p;
  }

  // ---- recovery callbacks (single-threaded, during open) ----

  void recoveredData(long pid, short epoch, int baseSeq, int count, long base, boolean transactional) {
    if (pid >= 0) {
      ProducerState st = producers.computeIfAbsent(pid, k -> new ProducerState(pid, epoch));
      if (epoch >= st.epoch) {
        st.appended(epoch, baseSeq, count, base);
      }
      if (transactional) {
        txns.recoveredBatch(pid, base, base + count - 1);
      }
    }
  }

  void recoveredMarker(long pid, short epoch, boolean commit, long first, long last) {
    ProducerState st = producers.computeIfAbsent(pid, k -> new ProducerState(pid, epoch));
    if (epoch > st.epoch) {
      st.markerEpoch(tp, epoch);
    }
    txns.markerApplied(pid, commit, first, last);
  }

  // ---- appends ----

  /**
   * Appends a data batch (or returns the original base offset of a duplicate). Does not wait for durability: call
   * {@link #awaitAck(long)} with the returned end.
   *
   * @return {base offset, end offset (exclusive)}
   */
  long[] append(ByteBuffer batch, int count, long maxTs, long pid, short epoch, int baseSeq, long txnSeq) {
    appendLock.lock();
    try {
      ctx.check();
      ctx.checkWritable();
      ProducerState st = null;
      if (pid >= 0) {
        st = producers.get(pid);
        if (st != null) {
          long dup = st.check(tp, epoch, baseSeq, count);
          if (dup >= 0) {
            return new long[] {dup, dup + count};
          }
        } else {
          st = new ProducerState(pid, epoch);
        }
      }
      long base = writtenEnd;
      short attrs = txnSeq >= 0 ? BatchCodec.ATTR_TRANSACTIONAL : 0;
      BatchCodec.seal(batch, base, pid, epoch, baseSeq, attrs);
      write(batch, base, base + count, maxTs);
      if (st != null) {
        producers.putIfAbsent(pid, st);
        st.appended(epoch, baseSeq, count, base);
      }
      if (txnSeq >= 0) {
        txns.dataAppended(pid, txnSeq, base, base + count - 1);
      }
      publish(base + count); // only now: the open range must hold back the LSO before readers can see the data
      return new long[] {base, base + count};
    } finally {
      appendLock.unlock();
    }
  }

  /**
   * Writes a commit or abort marker for pid's data [first, last] if it is still open there. Idempotent: returns
   * false (and writes nothing) if a marker already covers it. Forces the marker unless the policy never forces.
   */
  boolean writeMarker(long pid, short epoch, long txnSeq, boolean commit, long first, long last) {
    long end = appendMarker(pid, epoch, txnSeq, commit, first, last);
    if (end < 0) {
      return false;
    }
    forceUpTo(end);
    return true;
  }

  /**
   * As {@link #writeMarker} without the force: returns the end offset {@link #forceUpTo} must reach, or -1 if a
   * marker already covers the range. Under EVERY_APPEND the marker (and so the data it commits) becomes visible only
   * with that force, as every append does.
   */
  long appendMarker(long pid, short epoch, long txnSeq, boolean commit, long first, long last) {
    appendLock.lock();
    try {
      ctx.check();
      ctx.checkWritable();
      if (!txns.hasOpenAt(pid, first)) {
        return -1;
      }
      ProducerState st = producers.computeIfAbsent(pid, k -> new ProducerState(pid, epoch));
      st.markerEpoch(tp, epoch);
      long base = writtenEnd;
      ByteBuffer marker = BatchCodec.encodeControl(commit, txnSeq, first, last, System.currentTimeMillis());
      BatchCodec.seal(marker, base, pid, epoch, -1, BatchCodec.ATTR_TRANSACTIONAL);
      write(marker, base, base + 1, Long.MIN_VALUE);
      txns.markerApplied(pid, commit, first, last);
      publish(base + 1);
      return base + 1;
    } finally {
      appendLock.unlock();
    }
  }

  private void write(ByteBuffer batch, long base, long next, long maxTs) {
    try {
      if (active.size() > 0 && active.size() + batch.limit() > config.segmentBytes()) {
        roll(base);
      }
      active.append(batch, base, next, maxTs);
    } catch (IOException e) {
      throw ctx.fail("appending to " + active, e);
    }
    writtenEnd = next;
  }

  /** Makes [.., next) visible to readers unless visibility waits for a force (EVERY_APPEND). */
  private void publish(long next) {
    if (!ctx.syncOnAppend()) {
      highWatermark = next;
      ctx.signal();
    }
  }

  private void roll(long base) throws IOException {
    active.seal(ctx.forces());
    Segment next = Segment.create(dir, base);
    segments.put(base, next);
    ctx.fsyncDirectory(dir);
    active = next;
  }

  /** Waits until [.., end) is acknowledged-durable per the policy (a force under EVERY_APPEND, nothing otherwise). */
  void awaitAck(long end) {
    if (ctx.syncOnAppend()) {
      forceUpTo(end);
    }
  }

  /** Forces until [.., end) is durable, sharing forces between concurrent callers. No-op under the OS policy. */
  void forceUpTo(long end) {
    if (!ctx.forces()) {
      return;
    }
    if (durableEnd >= end) {
      return;
    }
    flushLock.lock();
    try {
      while (durableEnd < end) {
        ctx.check();
        if (forcing) {
          flushed.awaitUninterruptibly();
          continue;
        }
        forcing = true;
        flushLock.unlock();
        long covered = -1;
        try {
          covered = forceActive();
        } finally {
          flushLock.lock();
          forcing = false;
          if (covered > durableEnd) {
            durableEnd = covered;
            if (ctx.syncOnAppend() && covered > highWatermark) {
              highWatermark = covered;
              ctx.signal();
            }
          }
          flushed.signalAll();
        }
      }
    } finally {
      flushLock.unlock();
    }
  }

  /** For the everyMillis flusher: forces if anything was written since the last force. */
  void flushIfDirty() {
    long end = writtenEnd;
    if (durableEnd < end) {
      forceUpTo(end);
    }
  }

  private long forceActive() {
    Segment seg;
    long end;
    appendLock.lock();
    try {
      seg = active;
      end = writtenEnd;
    } finally {
      appendLock.unlock();
    }
    try {
      forces.incrementAndGet();
      seg.sync(); // earlier segments were forced when they were sealed
    } catch (IOException e) {
      throw ctx.fail("forcing " + seg, e);
    }
    return end;
  }

  // ---- transactions (recovery and coordinator) ----

  /** {first, last} of the open data of (pid, txnSeq) here, or null if it wrote nothing still open. */
  long[] openRange(long pid, long txnSeq) {
    appendLock.lock();
    try {
      TxnIndex.OpenRange r = txns.find(pid, txnSeq);
      return r == null ? null : new long[] {r.first, r.last};
    } finally {
      appendLock.unlock();
    }
  }

  void claim(long pid, long txnSeq, long first, long last) {
    appendLock.lock();
    try {
      txns.claim(pid, txnSeq, first, last);
    } finally {
      appendLock.unlock();
    }
  }

  /** Recovery: aborts every transactional run that no prepared or decided transaction claimed. */
  void abortUnclaimed() {
    List<long[]> runs;
    Map<Long, Short> epochs = new HashMap<>();
    appendLock.lock();
    try {
      runs = txns.unclaimedRuns();
      for (long[] run : runs) {
        epochs.put(run[0], producers.get(run[0]).epoch);
      }
    } finally {
      appendLock.unlock();
    }
    for (long[] run : runs) {
      writeMarker(run[0], epochs.get(run[0]), -1, false, run[1], run[2]);
      LogContext.LOGGER.log(Level.INFO, "Recovery of {0}: aborted unfinished transactional data of producer id {1}"
          + " at offsets [{2}, {3}]", tp, run[0], Long.toString(run[1]), Long.toString(run[2]));
    }
  }

  // ---- offsets ----

  long startOffset() {
    return startOffset;
  }

  long endOffset() {
    return highWatermark;
  }

  long lastStableOffset() {
    return Math.min(highWatermark, txns.firstUnstable());
  }

  // ---- retention ----

  /** Deletes whole sealed segments beyond the topic's size or time limit, never past {@code floor}. */
  void enforceRetention(long nowMillis, long groupFloor) {
    if (config.retentionBytes() < 0 && config.retentionMs() < 0) {
      return;
    }
    long floor = Math.min(lastStableOffset(), config.retentionIgnoresConsumerGroups() ? Long.MAX_VALUE : groupFloor);
    while (true) {
      Map.Entry<Long, Segment> first = segments.firstEntry();
      Map.Entry<Long, Segment> second = segments.higherEntry(first.getKey());
      if (second == null) {
        return; // only the active segment is left
      }
      Segment seg = first.getValue();
      long total = 0;
      for (Segment s : segments.values()) {
        total += s.size();
      }
      boolean bySize = config.retentionBytes() > 0 && total - seg.size() >= config.retentionBytes();
      boolean byTime = config.retentionMs() > 0 && seg.maxTimestamp() < nowMillis - config.retentionMs();
      long segEnd = second.getKey();
      if (!(bySize || byTime) || segEnd > floor) {
        return;
      }
      startOffset = segEnd;
      segments.remove(first.getKey());
      try {
        seg.delete();
      } catch (IOException e) {
        LogContext.LOGGER.log(Level.WARNING, "Retention could not delete " + seg + "; will retry", e);
        return;
      }
      // the deletion must survive power loss too: else the old start offset comes back after a crash, with a
      // segment whose successor's base no longer matches what readers and groups were told
      ctx.fsyncDirectory(dir);
      txns.pruneBelow(segEnd);
      LogContext.LOGGER.log(Level.INFO, "Retention deleted {0} ({1}); {2} now starts at offset {3}", seg,
          bySize ? "size" : "time", tp, Long.toString(segEnd));
    }
  }

  // ---- stats and close ----

  Set<Long> producerIds() {
    appendLock.lock();
    try {
      return Set.copyOf(producers.keySet());
    } finally {
      appendLock.unlock();
    }
  }

  long segmentBytes() {
    long total = 0;
    for (Segment s : segments.values()) {
      total += s.size();
    }
    return total;
  }

  void close() {
    appendLock.lock();
    try {
      for (Segment s : new ArrayList<>(segments.values())) {
        try {
          if (s == active && ctx.forces() && !ctx.failed()) {
            s.sync();
          }
          s.close();
        } catch (IOException e) {
          LogContext.LOGGER.log(Level.WARNING, "Closing " + s + " failed", e);
        }
      }
    } finally {
      appendLock.unlock();
    }
  }

  /** How many forces of the active segment this partition did (group commit shares them). */
  long forceCount() {
    return forces.get();
  }

  LogContext context() {
    return ctx;
  }
}
