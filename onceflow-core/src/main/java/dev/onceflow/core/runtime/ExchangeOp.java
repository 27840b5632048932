package dev.onceflow.core.runtime;

import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;

/**
 * The sending side of an edge between stages: a keyBy routes each record to the subtask owning its key group, a
 * forward edge (a union across stages; no key function) to the subtask of the same index; each record is appended to a
 * per-target batch; a full batch is handed to the target's input gate (which blocks when full = backpressure). Control elements
 * flush every partial batch first and are then broadcast, so they stay in order with the records.
 */
final class ExchangeOp extends ChainOp {
  /**
   * Bound on how long a partly filled batch may wait for more records while input keeps trickling in (a slow or paced
   * source never goes idle): without it a record could sit in the exchange until the next barrier.
   */
  private static final long MAX_BATCH_DELAY_NANOS = 5_000_000L;

  private final Function<Object, Object> keyFn;
  private final InputGate[] targets;
  /** First channel of this edge in each target's gate: a stage with several inputs has P channels per input. */
  private final int channelOffset;
  private int channel;
  private int self;
  private int batchSize;
  private int maxParallelism;
  /** Key group to target subtask: a table look-up instead of a division per record. */
  private int[] targetOfKeyGroup;
  private Object[][] records;
  private Object[][] keys;
  private long[][] timestamps;
  private int[] sizes;
  private CancelFlag cancel;
  private long lastFlushNanos;

  ExchangeOp(Function<Object, Object> keyFn, InputGate[] targets) {
    this(keyFn, targets, 0);
  }

  /** {@code keyFn} null = forward to the subtask of the same index. */
  ExchangeOp(Function<Object, Object> keyFn, InputGate[] targets, int channelOffset) {
    this.keyFn = keyFn;
    this.targets = targets;
    this.channelOffset = channelOffset;
  }

  @Override
  void open(TaskContext ctx) {
    this.self = ctx.subtask();
    this.channel = channelOffset + ctx.subtask();
    this.batchSize = ctx.batchSize();
    this.maxParallelism = ctx.maxParallelism();
    this.targetOfKeyGroup = new int[maxParallelism];
    for (int kg = 0; kg < maxParallelism; kg++) {
      targetOfKeyGroup[kg] = KeyGroups.subtask(kg, targets.length, maxParallelism);
    }
    this.cancel = ctx.cancelled();
    int n = targets.length;
    records = new Object[n][];
    keys = new Object[n][];
    timestamps = new long[n][];
    sizes = new int[n];
    for (int t = 0; t < n; t++) {
      fresh(t);
    }
  }

  private void fresh(int t) {
    records[t] = new Object[batchSize];
    keys[t] = new Object[batchSize];
    timestamps[t] = new long[batchSize];
    sizes[t] = 0;
  }

  @Override
  void accept(Object record, Object ignoredKey, long ts) throws Exception {
    Object key = null;
    int t;
    if (keyFn == null) {
      t = self;
    } else {
      key = keyFn.apply(record);
      if (key == null) {
        throw new NullPointerException(
            "keyBy function returned null for record " + record + ": keys must not be null");
      }
      t = targetOfKeyGroup[KeyGroups.keyGroup(key, maxParallelism)];
    }
    int i = sizes[t];
    records[t][i] = record;
    keys[t][i] = key;
    timestamps[t][i] = ts;
    sizes[t] = i + 1;
    if (i + 1 == batchSize) {
      send(t);
    }
  }

  private void send(int t) throws InterruptedException {
    put(t, new RecordBatch(records[t], keys[t], timestamps[t], sizes[t]));
    fresh(t);
  }

  private void put(int t, StreamElement e) throws InterruptedException {
    targets[t].put(channel, e, cancel);
  }

  private void flushAll() throws InterruptedException {
    lastFlushNanos = System.nanoTime();
    for (int t = 0; t < targets.length; t++) {
      if (sizes[t] > 0) {
        send(t);
      }
    }
  }

  private void broadcast(StreamElement e) throws InterruptedException {
    flushAll();
    for (int t = 0; t < targets.length; t++) {
      put(t, e);
    }
  }

  @Override
  void watermark(long watermark) throws Exception {
    broadcast(new Watermark(watermark));
  }

  @Override
  void idle() throws Exception {
    broadcast(new Watermark(Long.MIN_VALUE, true));
  }

  @Override
  void replayEnd() throws Exception {
    broadcast(ReplayEnd.INSTANCE);
  }

  @Override
  void endInput() throws Exception {
    broadcast(EndOfInput.INSTANCE);
  }

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    broadcast(barrier);
  }

  /** Checked once per input batch, not per record, so the clock read stays off the per-record path. */
  @Override
  void endOfBatch() throws InterruptedException {
    if (System.nanoTime() - lastFlushNanos >= MAX_BATCH_DELAY_NANOS) {
      flushAll();
    }
  }

  @Override
  void flushIdle() throws Exception {
    flushAll();
  }

  @Override
  void close(boolean failed) {
    if (records != null) {
      for (Object[] r : records) {
        Arrays.fill(r, null);
      }
    }
  }
}
