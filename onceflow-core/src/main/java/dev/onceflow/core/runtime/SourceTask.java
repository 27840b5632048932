package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.NonRecoverableException;
import dev.onceflow.core.checkpoint.PositionStore;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A source subtask: polls its reader in batches and pushes the records through its operator chain. Between batches it
 * injects the checkpoint barriers the coordinator requested: snapshot the reader position, snapshot the chain, send
 * the barrier. Under AT_MOST_ONCE a record is processed only once a position at or after it is durable.
 *
 * <p>AT_MOST_ONCE reservations (live, not while replaying): the task reads ahead of what it processes, as far as its
 * fsyncs need and at most {@link Reservation#records()} records, and commits the read head's position (with the watermark the records read so far
 * lead to) asynchronously on a {@link PositionCommitter} thread. A read batch is processed once a commit made after it
 * was read is durable, so processing waits for an fsync only when the read-ahead is full (or the reader has nothing
 * more, or ended) and nothing read is durable yet; in the steady state the next reservation's fsync runs while the
 * previous one's records are processed. A crash loses what was reserved but not processed (at most the read-ahead):
 * the restart replays from the checkpoint's position to the committed one with output suppressed, so those records
 * have their state effects but no output, which at-most-once allows. The watermark emitted after a batch is the one
 * computed when it was read, so it never exceeds the durable committed watermark.
 *
 * <p>AT_MOST_ONCE recovery: the reader restarts at the checkpoint's position (consistent with the restored state) and
 * re-reads up to the committed position with every sink write suppressed, so state regains the effects of records
 * whose output already happened (a deduplicator remembers ids it already emitted) without repeating that output.
 * Then the task emits its watermark (so every timer that fired before the failure fires again inside the replay, its
 * output suppressed) and sends {@link ReplayEnd} (once per attempt, so sinks know when to go live) and runs normally.
 * Before it flushes end of input (windows, timers) it commits an end-of-input mark: a subtask restored with that mark
 * never sends ReplayEnd, since that output may already exist in part, and at-most-once allows losing the rest.
 *
 * <p>Watermarks (all guarantees): a subtask whose reader reported end of input emits +infinity at once (it will never
 * hold back another window). Its watermark state (largest timestamp, emitted watermark) is part of its checkpoint, and
 * a restore (same parallelism) emits the checkpointed watermark before anything else, so a subtask that reads nothing
 * after the restore does not hold back windows it did not hold back before. Under AT_MOST_ONCE the watermark a subtask
 * is about to emit, and its going idle, are committed with the position BEFORE they are emitted; the replay ends by
 * emitting at least the committed watermark (and idleness) before ReplayEnd, so every window that fired before the
 * failure fires again with its output suppressed. Watermarks are throttled per batch but never withheld: end of
 * input, nothing available, a barrier and the end of a replay each emit the pending watermark.
 */
final class SourceTask implements Runnable, SourceOutput<Object> {
  private static final Logger LOG = LoggerFactory.getLogger(SourceTask.class);
  static final String POSITION = "source.position";
  /** Checkpoint section: version byte 1, largest timestamp read (long), watermark emitted (long). */
  static final String WATERMARK = "source.watermark";
  private static final byte WATERMARK_VERSION = 1;

  /**
   * How far an AT_MOST_ONCE subtask reads ahead of what it processes, which bounds what a crash loses.
   *
   * @param records at most this many records read and not yet processed (what a crash may lose); the task reads
   *     only as far ahead as its fsyncs need (from 8 batches, doubled on a stall), up to this
   * @param maxDelayMillis a reservation is requested at the latest this long after the oldest record it covers was
   *     read (else once half the current read-ahead is waiting, or the reader has nothing more): at a low input rate
   *     a record waits at most this plus one fsync
   * @param listener test hook on the committer thread after each fsync, null in jobs
   */
  record Reservation(int records, long maxDelayMillis, PositionCommitter.SyncListener listener) {
    static final Reservation DEFAULT =
        new Reservation(dev.onceflow.core.Pipeline.DEFAULT_AT_MOST_ONCE_READ_AHEAD, 5, null);
  }

  private final String key;
  private final Source<Object> source;
  private final ChainOp head;
  private final TaskContext ctx;
  private final AttemptServices services;
  private final Map<String, byte[]> restored;
  private final Transformation.WatermarkSpec watermarks;
  private final boolean failOnDecodeError;
  private final long watermarkIntervalNanos;
  private final long idleTimeoutNanos;
  private final LongSupplier nanoClock;
  private long lastWatermarkNanos;
  private final AtomicLong recordsRead;
  private final AtomicLong decodeFailures;
  private final AtomicReference<CheckpointBarrier> trigger = new AtomicReference<>();
  private final PositionStore positionStore;
  private final Reservation reservation;
  private volatile PositionCommitter committer;
  private volatile Thread thread;
  /** AT_MOST_ONCE: the committed position still to be re-read with output suppressed; null = live. */
  private byte[] replayTarget;
  /** AT_MOST_ONCE: the end-of-input flush began before the failure; output stays suppressed for this attempt. */
  private boolean endFlushedBefore;
  /** AT_MOST_ONCE: no watermark above this (and no idleness unless set) is emitted before it is committed. */
  private long committedWatermark = Long.MIN_VALUE;
  private boolean committedIdle;

  private Object[] records;
  private long[] timestamps;
  private int size;
  private long maxTimestamp = Long.MIN_VALUE;
  private long emittedWatermark = Long.MIN_VALUE;
  /** The reader reported end of input: the watermark is +infinity. */
  private boolean ended;
  private boolean idle;
  private long lastDataNanos;

  /** AT_MOST_ONCE live: batches read, not yet processed, oldest first; their arrays are reused. */
  private final ArrayDeque<Batch> ahead = new ArrayDeque<>();
  private final ArrayDeque<Batch> freeBatches = new ArrayDeque<>();
  private int aheadRecords;
  /** Records in {@link #ahead} that no request covers yet (ticket 0), and when the oldest of them was read. */
  private int unrequestedRecords;
  private long oldestUnrequestedNanos;
  /** The newest ticket this task requested and the newest it saw durable. */
  private long lastRequested;
  private long seenDurable;
  /** Highest watermark requested so far: every commit carries at least it (the committed watermark never falls). */
  private long requestedWatermark = Long.MIN_VALUE;
  /** After the last processed batch: its position, largest timestamp, watermark (what a barrier snapshots). */
  private byte[] processedPosition;
  private long processedMaxTimestamp = Long.MIN_VALUE;
  private long processedWatermark = Long.MIN_VALUE;
  /** What the read head saw last, other than MORE_AVAILABLE, handled once every batch read before it is processed. */
  private ReadStatus headStatus;
  /**
   * How far the task reads ahead now, between {@link #minAheadTarget} and the bound: doubled whenever processing
   * stalled on an fsync with the read-ahead full, one batch less after {@value #SHRINK_AFTER_RESERVATIONS}
   * reservations without a stall. So the read-ahead (what a crash loses) is about what the disk's fsync latency needs
   * at the rate the chain processes, not the bound.
   */
  private int aheadTarget;
  private final int minAheadTarget;
  private int reservationsSinceStall;
  private static final int SHRINK_AFTER_RESERVATIONS = 64;
  /**
   * A reservation is requested once 1/this of the read-ahead waits uncovered: each costs an fsync, two hand-offs and
   * wake-ups (~0.5 ms of CPU on 2 cores), so few and large ones; the other half, durable, is processed meanwhile.
   */
  private static final int REQUEST_DIVISOR = 2;

  /** One polled batch waiting in the read-ahead. */
  private static final class Batch {
    Object[] records;
    long[] timestamps;
    int size;
    byte[] position;
    long maxTimestamp;
    long watermark;
    /** The commit that covers it; 0 = none requested yet. */
    long ticket;

    Batch(int capacity) {
      records = new Object[capacity];
      timestamps = new long[capacity];
    }
  }

  /**
   * @param nanoClock times the watermark throttle and the idle timeout (tests drive it by hand)
   * @param reservation the AT_MOST_ONCE read-ahead bounds (and, in tests, the committer hook)
   */
  SourceTask(
      String key,
      Source<Object> source,
      ChainOp head,
      TaskContext ctx,
      AttemptServices services,
      Map<String, byte[]> restored,
      PositionStore positionStore,
      Transformation.WatermarkSpec watermarks,
      boolean failOnDecodeError,
      long watermarkIntervalMillis,
      AtomicLong recordsRead,
      AtomicLong decodeFailures,
      LongSupplier nanoClock,
      Reservation reservation) {
    if (reservation.records() < 1 || reservation.maxDelayMillis() < 0) {
      throw new IllegalArgumentException("reservation: records must be >= 1 and maxDelayMillis >= 0, was "
          + reservation);
    }
    this.reservation = reservation;
    this.minAheadTarget = (int) Math.min(reservation.records(), 8L * ctx.batchSize());
    this.aheadTarget = minAheadTarget;
    this.key = key;
    this.source = source;
    this.head = head;
    this.ctx = ctx;
    this.services = services;
    this.restored = restored;
    this.positionStore = positionStore;
    this.watermarks = watermarks;
    this.failOnDecodeError = failOnDecodeError;
    this.watermarkIntervalNanos = TimeUnit.MILLISECONDS.toNanos(watermarkIntervalMillis);
    this.idleTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(Math.max(0, watermarks.idleTimeoutMillis()));
    this.nanoClock = nanoClock;
    this.recordsRead = recordsRead;
    this.decodeFailures = decodeFailures;
    this.records = new Object[ctx.batchSize()];
    this.timestamps = new long[ctx.batchSize()];
  }

  /** Requests barrier {@code id}; the task injects it before its next batch. Coordinator thread. */
  void triggerCheckpoint(long id, boolean isFinal) {
    trigger.set(new CheckpointBarrier(id, isFinal));
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
    PositionCommitter c = committer;
    if (c != null) {
      c.wakeUp(); // it may be waiting for a reservation's fsync: the barrier needs none
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    lastDataNanos = nanoClock.getAsLong();
    boolean failed = true;
    if (positionStore != null) {
      committer = new PositionCommitter(positionStore, key, reservation.listener());
    }
    try (SourceReader<Object> reader = source.createReader(sourceContext())) {
      services.meters.sourceReader(reader);
      head.open(ctx);
      head.restore(restored.isEmpty() ? List.of() : List.of(restored));
      restoreWatermark();
      if (ctx.guarantee() == Guarantee.AT_MOST_ONCE && (replayTarget == null || reader.hasReached(replayTarget))) {
        endReplay(reader);
      }
      loop(reader);
      failed = false;
    } catch (Throwable t) {
      if (!(t instanceof TaskCancelledException)) {
        services.job.failAttempt(new IllegalStateException("source subtask " + key + " (" + source.name()
            + ") failed", unwrap(t)));
      }
    } finally {
      closeCommitter();
      closeChain(failed);
    }
  }

  private void closeCommitter() {
    PositionCommitter c = committer;
    if (c == null) {
      return;
    }
    try {
      c.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private SourceContext sourceContext() throws Exception {
    Optional<byte[]> position = Optional.ofNullable(restored.get(POSITION));
    if (ctx.guarantee() == Guarantee.AT_MOST_ONCE && positionStore != null) {
      // The durable commit is always at or after the checkpointed position. Resuming there directly would leave the
      // restored state without the effects of the records in between, whose output may already exist: replay them.
      Optional<PositionStore.Committed> committed = positionStore.load();
      endFlushedBefore = committed.isPresent() && committed.get().endOfInput();
      if (committed.isPresent()) {
        committedWatermark = committed.get().watermark();
        committedIdle = committed.get().idle();
      }
      if (committed.isPresent()
          && !(position.isPresent() && Arrays.equals(position.get(), committed.get().position()))) {
        replayTarget = committed.get().position();
        LOG.info(
            "AT_MOST_ONCE {}: replaying from the {} position to the committed position with output suppressed",
            key, position.isPresent() ? "checkpoint's" : "initial");
      }
    }
    return new SourceContext(ctx.jobName(), ctx.subtask(), ctx.parallelism(), position);
  }

  /**
   * Re-emits the watermark this subtask had emitted when the restored checkpoint was taken: downstream restored its
   * state from the same checkpoint, and a subtask that reads nothing after the restore (all its input was read) must
   * not hold back what it did not hold back before. Absent after rescaling (partitions moved): starts from scratch.
   */
  private void restoreWatermark() throws Exception {
    byte[] b = restored.get(WATERMARK);
    if (b == null || !watermarks.enabled()) {
      return;
    }
    ByteBuffer buf = ByteBuffer.wrap(b);
    byte version = b.length == 17 ? buf.get() : -1;
    if (version != WATERMARK_VERSION) {
      throw new NonRecoverableException("source subtask " + key + ": checkpoint section " + WATERMARK + " has version "
          + version + " (" + b.length + " bytes); this build reads version " + WATERMARK_VERSION
          + ": restore with the build that wrote the checkpoint, or start without it");
    }
    maxTimestamp = buf.getLong();
    long wm = buf.getLong();
    if (wm > emittedWatermark) {
      emittedWatermark = wm;
      head.watermark(wm);
    }
  }

  private void loop(SourceReader<Object> reader) throws Exception {
    boolean exhausted = false;
    while (true) {
      ctx.cancelled().check();
      CheckpointBarrier b = trigger.getAndSet(null);
      if (b != null) {
        if (b.finalCheckpoint()) {
          if (replayTarget != null) {
            endReplay(reader);
          }
          drainAhead(reader);
          if (positionStore != null && !endFlushedBefore) {
            commitNow(reader.snapshotPosition(), true, committedWatermark, committedIdle);
          }
          head.endInput();
        } else if (readingAhead()) {
          emitWatermark(processedWatermark, true, reader); // what the processed records allow, committed already
        } else {
          emitWatermark(reader, true); // the checkpointed watermark is the one downstream has seen
        }
        long injected = System.nanoTime();
        services.meters.barrierInjected(b.id(), injected);
        Map<String, Callable<byte[]>> sections = new LinkedHashMap<>();
        // the read-ahead is not part of the snapshot: the checkpoint holds what was processed
        byte[] position = ahead.isEmpty() ? reader.snapshotPosition() : processedPosition;
        long maxTs = ahead.isEmpty() ? maxTimestamp : processedMaxTimestamp;
        sections.put(POSITION, () -> position);
        byte[] wm = ByteBuffer.allocate(17).put(WATERMARK_VERSION).putLong(maxTs).putLong(emittedWatermark)
            .array();
        sections.put(WATERMARK, () -> wm);
        head.barrier(b, sections);
        services.meters.snapshotTaken(b.id(), System.nanoTime() - injected);
        services.writeAndAcknowledge(b.id(), key, sections);
        if (b.finalCheckpoint()) {
          return;
        }
      }
      if (exhausted) {
        head.flushIdle();
        LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(20));
        continue;
      }
      if (readingAhead()) {
        exhausted = stepAhead(reader);
        continue;
      }
      size = 0;
      ReadStatus status = reader.poll(this, ctx.batchSize());
      ended = status == ReadStatus.END_OF_INPUT;
      if (size > 0) {
        lastDataNanos = nanoClock.getAsLong();
        idle = false;
        for (int i = 0; i < size; i++) {
          head.accept(records[i], null, timestamps[i]);
        }
        head.endOfBatch();
        if (replayTarget != null && reader.hasReached(replayTarget)) {
          endReplay(reader); // overshooting the target loses the batch's extra output, which at-most-once allows
        }
        recordsRead.addAndGet(size);
        Arrays.fill(records, 0, size, null);
        emitWatermark(reader, ended);
      }
      if (status == ReadStatus.END_OF_INPUT) {
        emitWatermark(reader, true); // +infinity: this subtask never holds back a window again
        if (replayTarget != null) {
          endReplay(reader);
        }
        exhausted = true;
        head.flushIdle();
        services.coordinator.sourceExhausted(ctx.subtask());
      } else if (status == ReadStatus.NOTHING_AVAILABLE) {
        emitWatermark(reader, true); // a throttled watermark must not wait for the next data
        head.flushIdle();
        maybeIdle(reader);
      }
    }
  }

  /** Live AT_MOST_ONCE: records go through the read-ahead and are processed once a reservation covers them. */
  private boolean readingAhead() {
    return positionStore != null && replayTarget == null;
  }

  /**
   * One step of the live AT_MOST_ONCE loop: process the batches a durable reservation covers, read one batch ahead
   * if there is room, request a reservation of the read head if none is being written and enough waits, and wait for
   * the fsync only if nothing else can be done. Returns true once the input ended and everything read was processed.
   */
  private boolean stepAhead(SourceReader<Object> reader) throws Exception {
    committer.rethrow();
    observeDurable();
    // one batch processed, one read: the read-ahead stays full, so the durable part lasts while the next fsync runs
    if (!ahead.isEmpty() && ahead.peekFirst().ticket != 0 && ahead.peekFirst().ticket <= seenDurable) {
      process(ahead.pollFirst());
    }
    if (headStatus == null && aheadRecords < aheadTarget) {
      readAhead(reader);
    }
    long now = nanoClock.getAsLong();
    boolean stalled = aheadRecords >= aheadTarget;
    boolean full = stalled || headStatus != null;
    // not merely because the read-ahead is full (in steady state it always is: that asked for an fsync whenever the
    // last one returned); only when half waits uncovered, the reader has nothing more, or nothing is processable
    boolean processable = !ahead.isEmpty() && ahead.peekFirst().ticket != 0 && ahead.peekFirst().ticket <= seenDurable;
    if (unrequestedRecords > 0 && lastRequested == committer.durable()
        && (headStatus != null || (stalled && !processable)
            || unrequestedRecords >= Math.max(1, aheadTarget / REQUEST_DIVISOR)
            || now - oldestUnrequestedNanos >= TimeUnit.MILLISECONDS.toNanos(reservation.maxDelayMillis()))) {
      requestHead(reader, requestedWatermark, false);
    }
    if (full && !ahead.isEmpty() && !processable) {
      // nothing processable and nothing more may be read: the one case that waits for an fsync
      if (stalled && headStatus == null && aheadTarget < reservation.records()) {
        // the read-ahead did not last one fsync: read further ahead (up to the bound) instead of waiting
        aheadTarget = (int) Math.min(reservation.records(), 2L * aheadTarget);
        reservationsSinceStall = 0;
        return false;
      }
      // wait for the reservation that covers the oldest batch read, not the latest requested: when a second request
      // went out before the first was durable, waiting for the second would stall on an fsync the next records do
      // not need (and, with that fsync held, for ever)
      long needed = ahead.peekFirst().ticket;
      committer.awaitDurable(needed != 0 ? needed : lastRequested, ctx.cancelled(), () -> trigger.get() != null);
      return false;
    }
    if (ahead.isEmpty() && headStatus != null) {
      ReadStatus status = headStatus;
      headStatus = null;
      if (status == ReadStatus.END_OF_INPUT) {
        emitWatermark(reader, true); // +infinity: this subtask never holds back a window again
        head.flushIdle();
        services.coordinator.sourceExhausted(ctx.subtask());
        return true;
      }
      emitWatermark(reader, true); // a throttled watermark must not wait for the next data
      head.flushIdle();
      maybeIdle(reader);
    }
    return false;
  }

  /** Polls one batch into the read-ahead; records the position, largest timestamp and watermark after it. */
  private void readAhead(SourceReader<Object> reader) throws Exception {
    Batch batch = freeBatches.isEmpty() ? new Batch(ctx.batchSize()) : freeBatches.pollFirst();
    records = batch.records;
    timestamps = batch.timestamps;
    size = 0;
    ReadStatus status = reader.poll(this, Math.min(ctx.batchSize(), aheadTarget - aheadRecords));
    batch.records = records; // collect may have grown them
    batch.timestamps = timestamps;
    batch.size = size;
    ended = status == ReadStatus.END_OF_INPUT;
    if (status != ReadStatus.MORE_AVAILABLE) {
      headStatus = status;
    }
    if (size == 0) {
      freeBatches.addLast(batch);
      return;
    }
    long now = nanoClock.getAsLong();
    lastDataNanos = now;
    batch.position = reader.snapshotPosition();
    batch.maxTimestamp = maxTimestamp;
    batch.watermark = computeWatermark(reader);
    requestedWatermark = Math.max(requestedWatermark, batch.watermark);
    batch.ticket = 0;
    if (unrequestedRecords == 0) {
      oldestUnrequestedNanos = now;
    }
    ahead.addLast(batch);
    aheadRecords += size;
    unrequestedRecords += size;
  }

  /** Pushes a batch a durable reservation covers through the chain. */
  private void process(Batch batch) throws Exception {
    idle = false;
    Object[] r = batch.records;
    long[] ts = batch.timestamps;
    int n = batch.size;
    for (int i = 0; i < n; i++) {
      head.accept(r[i], null, ts[i]);
    }
    head.endOfBatch();
    recordsRead.addAndGet(n);
    Arrays.fill(r, 0, n, null);
    aheadRecords -= n;
    processedPosition = batch.position;
    processedMaxTimestamp = batch.maxTimestamp;
    processedWatermark = Math.max(processedWatermark, batch.watermark);
    batch.position = null;
    freeBatches.addLast(batch);
    emitWatermark(batch.watermark, batch.watermark == Long.MAX_VALUE, null);
  }

  /** Processes everything in the read-ahead, waiting for its reservation (before the final checkpoint). */
  private void drainAhead(SourceReader<Object> reader) throws Exception {
    if (ahead.isEmpty()) {
      return;
    }
    if (unrequestedRecords > 0) {
      requestHead(reader, requestedWatermark, false);
    }
    while (!committer.awaitDurable(lastRequested, ctx.cancelled(), () -> false)) {
      // awaitDurable without a wake-up condition returns only once durable
    }
    observeDurable();
    while (!ahead.isEmpty()) {
      process(ahead.pollFirst());
    }
  }

  /**
   * Requests a commit of the read head's position, which covers every batch read so far; {@code watermark} and
   * {@code idle} as the committed watermark state (never below what was requested before).
   */
  private long requestHead(SourceReader<Object> reader, long watermark, boolean idleState) throws Exception {
    long wm = Math.max(watermark, Math.max(requestedWatermark, committedWatermark));
    requestedWatermark = wm;
    long ticket = committer.request(
        new PositionStore.Committed(reader.snapshotPosition(), endFlushedBefore, wm, idleState));
    lastRequested = ticket;
    for (var it = ahead.descendingIterator(); it.hasNext(); ) {
      Batch batch = it.next();
      if (batch.ticket != 0) {
        break;
      }
      batch.ticket = ticket;
    }
    unrequestedRecords = 0;
    return ticket;
  }

  /** Commits the read head now and waits for the fsync (end of input, a watermark or idleness to emit at once). */
  private void commitNow(byte[] position, boolean endOfInput, long watermark, boolean idleState) throws Exception {
    long wm = Math.max(watermark, Math.max(requestedWatermark, committedWatermark));
    requestedWatermark = wm;
    long ticket = committer.request(new PositionStore.Committed(position, endOfInput, wm, idleState));
    lastRequested = ticket;
    for (Batch batch : ahead) {
      if (batch.ticket == 0) {
        batch.ticket = ticket; // the read head's position covers them too
      }
    }
    unrequestedRecords = 0;
    while (!committer.awaitDurable(ticket, ctx.cancelled(), () -> false)) {
      // returns only once durable (or throws)
    }
    observeDurable();
  }

  /** Takes over the committed watermark state of the newest durable reservation. */
  private void observeDurable() {
    long d = committer.durable();
    if (d != seenDurable) {
      seenDurable = d;
      // no stall for a while: read a batch less ahead, so a crash loses only what the fsyncs need
      if (++reservationsSinceStall >= SHRINK_AFTER_RESERVATIONS && aheadTarget > minAheadTarget) {
        aheadTarget = Math.max(minAheadTarget, aheadTarget - ctx.batchSize());
        reservationsSinceStall = 0;
      }
      PositionStore.Committed c = committer.durableCommit();
      committedWatermark = Math.max(committedWatermark, c.watermark());
      committedIdle = c.idle();
    }
  }

  private void endReplay(SourceReader<Object> reader) throws Exception {
    boolean replayed = replayTarget != null;
    replayTarget = null;
    processedPosition = reader.snapshotPosition();
    processedMaxTimestamp = maxTimestamp;
    // Every window that fired before the failure must fire again now, output suppressed, not live after ReplayEnd:
    // the committed watermark is at least the one that fired them (the replayed records alone may not lead there: the
    // subtask may have read nothing since the checkpoint, or be at the end of its input).
    emitWatermark(reader, true);
    if (watermarks.enabled() && committedWatermark > emittedWatermark) {
      emittedWatermark = committedWatermark;
      head.watermark(committedWatermark);
    }
    if (watermarks.enabled() && !idle && (committedIdle || reader.currentWatermark() == Long.MAX_VALUE)) {
      idle = true;
      head.idle();
    }
    if (endFlushedBefore) {
      LOG.info("AT_MOST_ONCE {}: end of input was being flushed before the failure; output stays suppressed", key);
      return;
    }
    if (replayed) {
      LOG.info("AT_MOST_ONCE {}: replay reached the committed position; output is live again", key);
    }
    head.replayEnd();
  }

  /** The watermark this subtask's reads so far allow; +infinity once the reader reported end of input. */
  private long computeWatermark(SourceReader<Object> reader) {
    if (!watermarks.enabled()) {
      return Long.MIN_VALUE;
    }
    if (ended) {
      return Long.MAX_VALUE;
    }
    if (watermarks.fromReader()) {
      long wm = reader.currentWatermark();
      return wm == Long.MAX_VALUE ? Long.MIN_VALUE : wm; // nothing assigned: idle, not +infinity
    }
    long progress = maxTimestamp;
    long perPartition = reader.currentWatermark();
    if (perPartition == SourceReader.HOLD_BACK) {
      return Long.MIN_VALUE;
    }
    if (perPartition != Long.MIN_VALUE && perPartition != Long.MAX_VALUE && perPartition < progress) {
      progress = perPartition; // a partition behind the others holds the watermark back
    }
    long bound = watermarks.maxOutOfOrdernessMillis();
    return progress <= SourceReader.HOLD_BACK + bound + 1 ? Long.MIN_VALUE : progress - bound - 1;
  }

  /**
   * Emits the source subtask's watermark if it advanced. Throttled by the pipeline's watermark interval, because every
   * watermark flushes partly filled batches downstream, unless {@code now}. Under AT_MOST_ONCE (live) a watermark above
   * the committed one is committed first.
   */
  private void emitWatermark(SourceReader<Object> reader, boolean now) throws Exception {
    emitWatermark(computeWatermark(reader), now, reader);
  }

  /**
   * Emits {@code wm} if above the emitted watermark (throttled unless {@code now}). Under AT_MOST_ONCE (live) a
   * watermark above the committed one is committed first, with the read head's position ({@code reader}; null when
   * the caller guarantees {@code wm} is committed already).
   */
  private void emitWatermark(long wm, boolean now, SourceReader<Object> reader) throws Exception {
    if (wm <= emittedWatermark) {
      return;
    }
    long nowNanos = nanoClock.getAsLong();
    if (!now && watermarkIntervalNanos > 0 && emittedWatermark != Long.MIN_VALUE
        && nowNanos - lastWatermarkNanos < watermarkIntervalNanos) {
      return;
    }
    if (positionStore != null && replayTarget == null && wm > committedWatermark) {
      if (reader == null) {
        throw new IllegalStateException("source subtask " + key + ": watermark " + wm + " above the committed "
            + committedWatermark + " about to be emitted without a commit");
      }
      commitNow(reader.snapshotPosition(), endFlushedBefore, wm, committedIdle);
    }
    lastWatermarkNanos = nowNanos;
    emittedWatermark = wm;
    idle = false;
    head.watermark(wm);
  }

  /**
   * A reader with nothing assigned (watermark +infinity) is idle at once; one without data for the strategy's idle
   * timeout is idle until it emits again. Idle readers do not hold back the downstream watermark.
   */
  private void maybeIdle(SourceReader<Object> reader) throws Exception {
    if (idle || ended || !watermarks.enabled()) {
      return;
    }
    boolean timedOut = idleTimeoutNanos > 0 && nanoClock.getAsLong() - lastDataNanos > idleTimeoutNanos;
    if (timedOut || reader.currentWatermark() == Long.MAX_VALUE) {
      if (positionStore != null && replayTarget == null && !committedIdle) {
        commitNow(reader.snapshotPosition(), endFlushedBefore, committedWatermark, true);
        committedIdle = true;
      }
      idle = true;
      head.idle();
    }
  }

  @Override
  public void collect(Object record) {
    collect(record, Long.MIN_VALUE);
  }

  @Override
  public void collect(Object record, long timestamp) {
    if (size == records.length) {
      records = Arrays.copyOf(records, size * 2);
      timestamps = Arrays.copyOf(timestamps, size * 2);
    }
    records[size] = record;
    timestamps[size] = timestamp;
    size++;
    if (timestamp > maxTimestamp) {
      maxTimestamp = timestamp;
    }
  }

  @Override
  public void decodeFailed(String what, Exception cause) {
    decodeFailures.incrementAndGet();
    if (failOnDecodeError) {
      throw new IllegalStateException(
          "source " + source.name() + " could not decode " + what
              + " (the pipeline is configured to fail on decode errors)", cause);
    }
  }

  private void closeChain(boolean failed) {
    try {
      head.close(failed);
    } catch (Exception e) {
      if (failed) {
        LOG.warn("Closing subtask {} after failure", key, e);
      } else {
        services.job.failAttempt(e);
      }
    }
  }

  static Throwable unwrap(Throwable t) {
    return t instanceof TaskFailure && t.getCause() != null ? t.getCause() : t;
  }
}
