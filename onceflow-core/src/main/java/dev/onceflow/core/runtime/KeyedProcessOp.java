package dev.onceflow.core.runtime;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.checkpoint.SnapshotBuffer;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.serialization.TypeSerializer;
import java.io.DataInputStream;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Runs a {@link KeyedProcessFunction} (one input) or a {@link dev.onceflow.core.KeyedCoProcessFunction} (two inputs,
 * see {@link #input}): sets the record's key as the state scope, calls the function, fires event-time timers when the
 * watermark passes them. Both inputs of a co-process share the keyed state and timers. Checkpoints keyed state ({@code
 * <uid>.state}) and timers ({@code <uid>.timers}). Side outputs ({@code ctx.output(tag, v)}) go to {@link
 * #sideOutputs}.
 */
final class KeyedProcessOp extends ChainOp
    implements KeyedProcessFunction.Context<Object>, Collector<Object> {
  /** The user function behind one of the two function types. */
  interface Fn {
    void open(dev.onceflow.core.state.KeyedStateStore state) throws Exception;

    void process(int input, Object value, KeyedProcessOp ctx) throws Exception;

    void onTimer(long time, KeyedProcessOp ctx) throws Exception;
  }
  private static final TypeSerializer<Object> KEYS = Serializers.generic();
  /** Section suffix recording the number of key groups the state was partitioned by (maxParallelism). */
  static final String KEY_GROUPS = ".keyGroups";

  private final String uid;
  private final Fn fn;
  /** Side-output tag id to the operator reading it; set when the stage is built. */
  final Map<String, ChainOp> sideOutputs = new java.util.HashMap<>();
  private HeapKeyedState state;
  // time -> keys with a timer at that time; insertion order keeps firing deterministic per time
  private final TreeMap<Long, LinkedHashSet<Object>> timers = new TreeMap<>();
  /**
   * Timer times registered at or deleted from since the last barrier. A barrier copies and serialises only these and
   * reuses the previous snapshot's bytes for the others: a window job has a timer per open window and key (tens of
   * thousands), of which an interval adds those of the few new windows.
   */
  private final ChangedSince changedTimes = new ChangedSince();
  private long barriers;
  /** Per time, the serialised timers of the newest snapshot written (by the checkpoint I/O thread). */
  private volatile TimerChunks timerChunks;

  private record TimerChunks(long barrier, long[] times, byte[][] bytes) {
    byte[] of(long time) {
      int i = java.util.Arrays.binarySearch(times, time);
      return i < 0 ? null : bytes[i];
    }
  }
  private long watermark = Long.MIN_VALUE;
  private long timestamp;
  private TaskContext ctx;

  KeyedProcessOp(String uid, KeyedProcessFunction<Object, Object, Object> f) {
    this.uid = uid;
    this.fn = new Fn() {
      @Override
      public void open(dev.onceflow.core.state.KeyedStateStore state) throws Exception {
        f.open(state);
      }

      @Override
      public void process(int input, Object value, KeyedProcessOp op) throws Exception {
        f.processElement(value, op, op);
      }

      @Override
      public void onTimer(long time, KeyedProcessOp op) throws Exception {
        f.onTimer(time, op, op);
      }
    };
  }

  KeyedProcessOp(String uid, dev.onceflow.core.KeyedCoProcessFunction<Object, Object, Object, Object> f) {
    this.uid = uid;
    this.fn = new Fn() {
      @Override
      public void open(dev.onceflow.core.state.KeyedStateStore state) throws Exception {
        f.open(state);
      }

      @Override
      public void process(int input, Object value, KeyedProcessOp op) throws Exception {
        if (input == 0) {
          f.processElement1(value, op, op);
        } else {
          f.processElement2(value, op, op);
        }
      }

      @Override
      public void onTimer(long time, KeyedProcessOp op) throws Exception {
        f.onTimer(time, op, op);
      }
    };
  }

  /** The entry of input {@code index} (0 or 1): a record handed to it is processed as that input's. */
  ChainOp input(int index) {
    if (index == 0) {
      return this;
    }
    return new ChainOp() {
      @Override
      void accept(Object record, Object key, long ts) throws Exception {
        KeyedProcessOp.this.recordsIn++; // the operator counts both inputs (StageOps publishes the operator)
        state.setCurrentKey(key);
        timestamp = ts;
        fn.process(index, record, KeyedProcessOp.this);
      }
    };
  }
  @Override
  void open(TaskContext ctx) throws Exception {
    this.ctx = ctx;
    state = new HeapKeyedState(ctx.maxParallelism());
    fn.open(state);
  }

  @Override
  void restore(List<Map<String, byte[]>> sections) throws Exception {
    int p = ctx.parallelism();
    int maxP = ctx.maxParallelism();
    java.util.function.IntPredicate mine = kg -> KeyGroups.subtask(kg, p, maxP) == ctx.subtask();
    long restoredWatermark = Long.MAX_VALUE;
    boolean anyTimers = false;
    for (Map<String, byte[]> old : sections) {
      byte[] s = old.get(uid + ".state");
      if (s != null) {
        state.restore(s, "state of operator " + uid, mine);
      }
      byte[] t = old.get(uid + ".timers");
      if (t != null) {
        anyTimers = true;
        DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(t));
        // the lowest of the old subtasks' watermarks: no timer fires before every old input has passed it
        restoredWatermark = Math.min(restoredWatermark, in.readLong());
        int n = in.readInt();
        for (int i = 0; i < n; i++) {
          long time = in.readLong();
          int keys = in.readInt();
          for (int k = 0; k < keys; k++) {
            Object key = KEYS.deserialize(in);
            if (mine.test(KeyGroups.keyGroup(key, maxP))) {
              timers.computeIfAbsent(time, x -> new LinkedHashSet<>()).add(key);
            }
          }
        }
      }
    }
    if (anyTimers) {
      watermark = restoredWatermark;
    }
  }

  @Override
  void accept(Object record, Object key, long ts) throws Exception {
    recordsIn++;
    state.setCurrentKey(key);
    timestamp = ts;
    fn.process(0, record, this);
  }

  @Override
  void watermark(long wm) throws Exception {
    if (wm <= watermark) {
      return;
    }
    watermark = wm;
    fireTimers(wm);
  }

  private void fireTimers(long wm) throws Exception {
    while (!timers.isEmpty() && timers.firstKey() <= wm) {
      var e = timers.pollFirstEntry();
      for (Object key : e.getValue()) {
        state.setCurrentKey(key);
        timestamp = e.getKey();
        fn.onTimer(e.getKey(), this);
      }
    }
  }

  @Override
  void endInput() throws Exception {
    watermark(Long.MAX_VALUE);
  }

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    sections.put(uid + ".state", state.snapshot());
    byte[] keyGroups = java.nio.ByteBuffer.allocate(4).putInt(ctx.maxParallelism()).array();
    sections.put(uid + KEY_GROUPS, () -> keyGroups);
    long seq = ++barriers;
    TimerChunks previous = timerChunks;
    long[] changed = changedTimes.take();
    if (previous != null && (previous.barrier() != seq - 1 || changed == null)) {
      previous = null; // not the previous barrier's (its write failed, was abandoned, or is still running)
    }
    long[] times = new long[timers.size()];
    Object[][] keys = new Object[times.length][]; // null: the previous snapshot's chunk of that time
    byte[][] reused = new byte[times.length][];
    int i = 0;
    int count = 0;
    int reusedBytes = 0;
    for (var e : timers.entrySet()) {
      long time = e.getKey();
      times[i] = time;
      byte[] chunk = previous == null || ChangedSince.contains(changed, time) ? null : previous.of(time);
      if (chunk != null) {
        reused[i++] = chunk;
        reusedBytes += chunk.length;
      } else {
        keys[i++] = e.getValue().toArray();
        count += keys[i - 1].length;
      }
    }
    long wm = watermark;
    int sizeHint = 16 + times.length * 12 + count * 10 + reusedBytes;
    sections.put(
        uid + ".timers",
        () -> {
          SnapshotBuffer out = new SnapshotBuffer(sizeHint);
          out.writeLong(wm);
          out.writeInt(times.length);
          byte[][] chunks = new byte[times.length][];
          for (int t = 0; t < times.length; t++) {
            if (keys[t] == null) {
              chunks[t] = reused[t];
              out.write(reused[t]);
              continue;
            }
            int from = out.size();
            out.writeLong(times[t]);
            out.writeInt(keys[t].length);
            for (Object k : keys[t]) {
              KEYS.serialize(k, out);
            }
            chunks[t] = java.util.Arrays.copyOfRange(out.array(), from, out.size());
          }
          timerChunks = new TimerChunks(seq, times, chunks);
          return out.toByteArray();
        });
  }

  @Override
  public void collect(Object record) {
    recordsOut++;
    if (next == null) {
      return; // only side outputs of this function are read
    }
    try {
      next.accept(record, null, timestamp);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new TaskFailure(e);
    }
  }

  @Override
  public <X> void output(dev.onceflow.core.OutputTag<X> tag, X value) {
    ChainOp out = sideOutputs.get(tag.id());
    if (out == null) {
      return; // nobody reads this side output
    }
    try {
      out.accept(value, null, timestamp);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new TaskFailure(e);
    }
  }

  @Override
  public Object currentKey() {
    return state.currentKey();
  }

  @Override
  public long timestamp() {
    return timestamp;
  }

  @Override
  public long currentWatermark() {
    return watermark;
  }

  @Override
  public void registerEventTimeTimer(long time) {
    changedTimes.mark(time);
    timers.computeIfAbsent(time, t -> new LinkedHashSet<>()).add(state.currentKey());
  }

  @Override
  public void deleteEventTimeTimer(long time) {
    changedTimes.mark(time);
    LinkedHashSet<Object> keys = timers.get(time);
    if (keys != null && keys.remove(state.currentKey()) && keys.isEmpty()) {
      timers.remove(time);
    }
  }
}
