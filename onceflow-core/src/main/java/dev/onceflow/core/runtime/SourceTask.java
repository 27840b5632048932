package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.checkpoint.PositionStore;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
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
 */
final class SourceTask implements Runnable, SourceOutput<Object> {
  private static final Logger LOG = LoggerFactory.getLogger(SourceTask.class);
  static final String POSITION = "source.position";

  private final String key;
  private final Source<Object> source;
  private final ChainOp head;
  private final TaskContext ctx;
  private final AttemptServices services;
  private final Map<String, byte[]> restored;
  private final Transformation.WatermarkSpec watermarks;
  private final boolean failOnDecodeError;
  private final long watermarkIntervalNanos;
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

  private Object[] records;
  private long[] timestamps;
  private int size;
  private long maxTimestamp = Long.MIN_VALUE;
  private long emittedWatermark = Long.MIN_VALUE;
  private boolean idle;
  private long lastDataNanos = System.nanoTime();

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
    boolean failed = true;
    try (SourceReader<Object> reader = source.createReader(sourceContext())) {
      head.open(ctx);
      head.restore(restored.isEmpty() ? List.of() : List.of(restored));
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
            positionStore.commit(reader.snapshotPosition(), true);
          }
          head.endInput();
        }
        Map<String, Callable<byte[]>> sections = new LinkedHashMap<>();
        byte[] position = reader.snapshotPosition();
        sections.put(POSITION, () -> position);
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
      if (size > 0) {
        lastDataNanos = System.nanoTime();
        idle = false;
        if (positionStore != null && replayTarget == null) {
          // never while replaying: that would move it backwards
          positionStore.commit(reader.snapshotPosition(), endFlushedBefore);
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
        if (watermarkIntervalNanos == 0 || lastDataNanos - lastWatermarkNanos >= watermarkIntervalNanos) {
          emitWatermark(reader, lastDataNanos);
        }
      }
      if (status == ReadStatus.END_OF_INPUT) {
        if (replayTarget != null) {
          endReplay(reader);
        }
        exhausted = true;
        head.flushIdle();
        services.coordinator.sourceExhausted(ctx.subtask());
      } else if (status == ReadStatus.NOTHING_AVAILABLE) {
        emitWatermark(reader, System.nanoTime()); // a throttled watermark must not wait for the next data
        head.flushIdle();
        maybeIdle(reader);
      }
    }
  }

  private void endReplay(SourceReader<Object> reader) throws Exception {
    boolean replayed = replayTarget != null;
    replayTarget = null;
    // A throttled watermark may lag the records replayed: without this, a window that fired before the failure could
    // fire again after ReplayEnd, live.
    emitWatermark(reader, System.nanoTime());
    if (endFlushedBefore) {
      LOG.info("AT_MOST_ONCE {}: end of input was being flushed before the failure; output stays suppressed", key);
      return;
    }
    if (replayed) {
      LOG.info("AT_MOST_ONCE {}: replay reached the committed position; output is live again", key);
    }
    head.replayEnd();
  }

  /**
   * Emits the source subtask's watermark if it advanced. Throttled by the pipeline's watermark interval because every
   * watermark flushes partly filled batches downstream.
   */
  private void emitWatermark(SourceReader<Object> reader, long nowNanos) throws Exception {
    if (!watermarks.enabled()) {
      return;
    }
    lastWatermarkNanos = nowNanos;
    long wm;
    if (watermarks.fromReader()) {
      wm = reader.currentWatermark();
      wm = wm == Long.MAX_VALUE ? Long.MIN_VALUE : wm; // +infinity only comes with end of input
    } else {
      long progress = maxTimestamp;
      long perPartition = reader.currentWatermark();
      if (perPartition != Long.MIN_VALUE && perPartition != Long.MAX_VALUE && perPartition < progress) {
        progress = perPartition; // a partition behind the others holds the watermark back
      }
      long bound = watermarks.maxOutOfOrdernessMillis();
      wm = progress <= SourceReader.HOLD_BACK + bound + 1 ? Long.MIN_VALUE : progress - bound - 1;
    }
    if (wm > emittedWatermark) {
      emittedWatermark = wm;
      head.watermark(wm);
    }
  }

  /**
   * A reader with nothing assigned (watermark +infinity) is idle at once; one without data for the strategy's idle
   * timeout is idle until it emits again. Idle readers do not hold back the downstream watermark.
   */
  private void maybeIdle(SourceReader<Object> reader) throws Exception {
    if (idle || !watermarks.enabled()) {
      return;
    }
    boolean timedOut = watermarks.idleTimeoutMillis() > 0
        && System.nanoTime() - lastDataNanos > TimeUnit.MILLISECONDS.toNanos(watermarks.idleTimeoutMillis());
    if (timedOut || reader.currentWatermark() == Long.MAX_VALUE) {
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
