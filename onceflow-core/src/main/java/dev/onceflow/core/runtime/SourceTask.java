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
 * the barrier. Under AT_MOST_ONCE the position after a batch is committed durably BEFORE the batch is processed.
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
      AtomicLong decodeFailures) {
    this(key, source, head, ctx, services, restored, positionStore, watermarks, failOnDecodeError,
        watermarkIntervalMillis, recordsRead, decodeFailures, System::nanoTime);
  }

  /** With the clock that times the watermark throttle and the idle timeout (tests drive it by hand). */
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
      LongSupplier nanoClock) {
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
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    lastDataNanos = nanoClock.getAsLong();
    boolean failed = true;
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
      closeChain(failed);
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
          if (positionStore != null && !endFlushedBefore) {
            positionStore.commit(reader.snapshotPosition(), true, committedWatermark, committedIdle);
          }
          head.endInput();
        } else {
          emitWatermark(reader, true); // the checkpointed watermark is the one downstream has seen
        }
        Map<String, Callable<byte[]>> sections = new LinkedHashMap<>();
        byte[] position = reader.snapshotPosition();
        sections.put(POSITION, () -> position);
        byte[] wm = ByteBuffer.allocate(17).put(WATERMARK_VERSION).putLong(maxTimestamp).putLong(emittedWatermark)
            .array();
        sections.put(WATERMARK, () -> wm);
        head.barrier(b, sections);
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
      size = 0;
      ReadStatus status = reader.poll(this, ctx.batchSize());
      ended = status == ReadStatus.END_OF_INPUT;
      if (size > 0) {
        lastDataNanos = nanoClock.getAsLong();
        idle = false;
        if (positionStore != null && replayTarget == null) {
          // never while replaying: that would move it backwards. The watermark these records lead to is committed
          // with them, before it can be emitted.
          long wm = Math.max(committedWatermark, computeWatermark(reader));
          positionStore.commit(reader.snapshotPosition(), endFlushedBefore, wm, false);
          committedWatermark = wm;
          committedIdle = false;
        }
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

  private void endReplay(SourceReader<Object> reader) throws Exception {
    boolean replayed = replayTarget != null;
    replayTarget = null;
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
    long wm = computeWatermark(reader);
    if (wm <= emittedWatermark) {
      return;
    }
    long nowNanos = nanoClock.getAsLong();
    if (!now && watermarkIntervalNanos > 0 && emittedWatermark != Long.MIN_VALUE
        && nowNanos - lastWatermarkNanos < watermarkIntervalNanos) {
      return;
    }
    if (positionStore != null && replayTarget == null && wm > committedWatermark) {
      positionStore.commit(reader.snapshotPosition(), endFlushedBefore, wm, committedIdle);
      committedWatermark = wm;
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
        positionStore.commit(reader.snapshotPosition(), endFlushedBefore, committedWatermark, true);
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
