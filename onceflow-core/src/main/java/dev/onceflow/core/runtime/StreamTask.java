package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.BarrierHandler;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.slf4j.LoggerFactory;

/**
 * A subtask behind an exchange: takes elements from its input gate and runs its stage's operators. The gate has P
 * channels per input edge (one edge for a keyed process or window, two for a co-process or interval join, one per
 * branch for a union across stages); barriers go through the {@link BarrierHandler} over all channels of all inputs
 * (under EXACTLY_ONCE aligned across both inputs of a co-process); watermarks are combined as the minimum over the
 * channels that are not idle; the stage sees end-of-input once every channel ended. The task ends after the final checkpoint's barrier.
 */
final class StreamTask implements Runnable {
  private static final long IDLE_FLUSH_NANOS = TimeUnit.MILLISECONDS.toNanos(2);

  private final String key;
  private final InputGate gate;
  private final StageOps head;
  private final TaskContext ctx;
  private final AttemptServices services;
  private final List<Map<String, byte[]>> restored;
  private final BarrierHandler barriers;
  private final long[] channelWatermarks;
  private final boolean[] ended;
  private final boolean[] idle;
  private final boolean[] replayEnded;
  private int replayEndedCount;
  private boolean allIdle;
  private int endedCount;
  private long watermark = Long.MIN_VALUE;
  /** Records in, per batch; the job's meters read it. */
  dev.onceflow.core.metrics.internal.SubtaskCounter recordsIn = new dev.onceflow.core.metrics.internal.SubtaskCounter();
  /** When the first barrier of the checkpoint being aligned arrived, or 0. */
  private long alignStart;

  StreamTask(
      String key,
      InputGate gate,
      StageOps head,
      TaskContext ctx,
      AttemptServices services,
      List<Map<String, byte[]>> restored,
      BarrierHandler.Mode mode) {
    this.key = key;
    this.gate = gate;
    this.head = head;
    this.ctx = ctx;
    this.services = services;
    this.restored = restored;
    this.barriers = new BarrierHandler(mode, gate.channelCount());
    this.channelWatermarks = new long[gate.channelCount()];
    Arrays.fill(channelWatermarks, Long.MIN_VALUE);
    this.ended = new boolean[gate.channelCount()];
    this.idle = new boolean[gate.channelCount()];
    this.replayEnded = new boolean[gate.channelCount()];
  }

  @Override
  public void run() {
    boolean failed = true;
    try {
      head.open(ctx);
      head.restore(restored);
      loop();
      failed = false;
    } catch (Throwable t) {
      if (!(t instanceof TaskCancelledException)) {
        services.job.failAttempt(new IllegalStateException("subtask " + key + " failed", SourceTask.unwrap(t)));
      }
    } finally {
      try {
        head.close(failed);
      } catch (Exception e) {
        if (failed) {
          LoggerFactory.getLogger(StreamTask.class).warn("Closing subtask {} after failure", key, e);
        } else {
          services.job.failAttempt(e);
        }
      }
    }
  }

  private void loop() throws Exception {
    CancelFlag cancel = ctx.cancelled();
    boolean[] blocked = barriers.blocked();
    while (true) {
      StreamElement e = gate.poll(blocked, IDLE_FLUSH_NANOS, cancel);
      if (e == null) {
        head.flushIdle();
        e = gate.take(blocked, cancel);
      }
      int channel = gate.lastChannel();
      if (e instanceof RecordBatch b) {
        if (idle[channel]) {
          idle[channel] = false;
          allIdle = false;
        }
        Object[] records = b.records();
        Object[] keys = b.keys();
        long[] ts = b.timestamps();
        int input = channel / ctx.parallelism(); // P channels per input edge (two for a co-process)
        for (int i = 0, n = b.size(); i < n; i++) {
          head.acceptFrom(input, records[i], keys[i], ts[i]);
        }
        head.endOfBatch();
        recordsIn.add(b.size());
      } else if (e instanceof Watermark w) {
        if (w.idle()) {
          onIdle(channel);
        } else {
          idle[channel] = false;
          allIdle = false;
          onWatermark(channel, w.timestamp());
        }
      } else if (e instanceof CheckpointBarrier b) {
        if (alignStart == 0) {
          alignStart = System.nanoTime();
        }
        if (barriers.onBarrier(channel, b.id())) {
          long aligned = System.nanoTime();
          services.meters.alignment(b.id(), aligned - alignStart);
          alignStart = 0;
          Map<String, Callable<byte[]>> sections = new LinkedHashMap<>();
          head.barrier(b, sections);
          services.meters.snapshotTaken(b.id(), System.nanoTime() - aligned);
          services.writeAndAcknowledge(b.id(), key, sections);
          if (b.finalCheckpoint()) {
            return;
          }
        }
      } else if (e == ReplayEnd.INSTANCE) {
        // Channels are FIFO: once every channel sent it, every record derived from replayed input has passed.
        if (!replayEnded[channel]) {
          replayEnded[channel] = true;
          replayEndedCount++;
          if (replayEndedCount == replayEnded.length) {
            head.replayEnd();
          }
        }
      } else if (e == EndOfInput.INSTANCE) {
        if (!ended[channel]) {
          ended[channel] = true;
          endedCount++;
          if (endedCount == ended.length) {
            head.endInput();
          } else {
            onWatermark(channel, Long.MAX_VALUE);
          }
        }
      }
    }
  }

  private void onIdle(int channel) throws Exception {
    idle[channel] = true;
    boolean all = true;
    for (int c = 0; c < idle.length; c++) {
      all &= idle[c] || ended[c];
    }
    if (all && !allIdle) {
      allIdle = true;
      head.idle();
    } else {
      advance();
    }
  }

  private void onWatermark(int channel, long wm) throws Exception {
    if (wm <= channelWatermarks[channel]) {
      return;
    }
    channelWatermarks[channel] = wm;
    advance();
  }

  /** Combined watermark = minimum over the channels that are not idle; it never goes back. */
  private void advance() throws Exception {
    long min = Long.MAX_VALUE;
    boolean any = false;
    for (int c = 0; c < channelWatermarks.length; c++) {
      if (!idle[c]) {
        min = Math.min(min, channelWatermarks[c]);
        any = true;
      }
    }
    if (any && min > watermark) {
      watermark = min;
      head.watermark(min);
    }
  }
}
