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
 * Runs a {@link KeyedProcessFunction}: sets the record's key as the state scope, calls the function, fires event-time
 * timers when the watermark passes them. Checkpoints keyed state ({@code <uid>.state}) and timers ({@code
 * <uid>.timers}).
 */
final class KeyedProcessOp extends ChainOp
    implements KeyedProcessFunction.Context<Object>, Collector<Object> {
  private static final TypeSerializer<Object> KEYS = Serializers.generic();
  /** Section suffix recording the number of key groups the state was partitioned by (maxParallelism). */
  static final String KEY_GROUPS = ".keyGroups";

  private final String uid;
  private final KeyedProcessFunction<Object, Object, Object> fn;
  private HeapKeyedState state;
  // time -> keys with a timer at that time; insertion order keeps firing deterministic per time
  private final TreeMap<Long, LinkedHashSet<Object>> timers = new TreeMap<>();
  private long watermark = Long.MIN_VALUE;
  private long timestamp;
  private TaskContext ctx;

  KeyedProcessOp(String uid, KeyedProcessFunction<Object, Object, Object> fn) {
    this.uid = uid;
    this.fn = fn;
  }

  @Override
  void open(TaskContext ctx) throws Exception {
    this.ctx = ctx;
    state = new HeapKeyedState(ctx.maxParallelism());
    fn.open(state);
    super.open(ctx);
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
    super.restore(sections);
  }

  @Override
  void accept(Object record, Object key, long ts) throws Exception {
    state.setCurrentKey(key);
    timestamp = ts;
    fn.processElement(record, this, this);
  }

  @Override
  void watermark(long wm) throws Exception {
    if (wm <= watermark) {
      return;
    }
    watermark = wm;
    fireTimers(wm);
    next.watermark(wm);
  }

  private void fireTimers(long wm) throws Exception {
    while (!timers.isEmpty() && timers.firstKey() <= wm) {
      var e = timers.pollFirstEntry();
      for (Object key : e.getValue()) {
        state.setCurrentKey(key);
        timestamp = e.getKey();
        fn.onTimer(e.getKey(), this, this);
      }
    }
  }

  @Override
  void endInput() throws Exception {
    watermark(Long.MAX_VALUE);
    next.endInput();
  }

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    sections.put(uid + ".state", state.snapshot());
    byte[] keyGroups = java.nio.ByteBuffer.allocate(4).putInt(ctx.maxParallelism()).array();
    sections.put(uid + KEY_GROUPS, () -> keyGroups);
    long[] times = new long[timers.size()];
    Object[][] keys = new Object[times.length][];
    int i = 0;
    int count = 0;
    for (var e : timers.entrySet()) {
      times[i] = e.getKey();
      keys[i++] = e.getValue().toArray();
      count += keys[i - 1].length;
    }
    long wm = watermark;
    int sizeHint = 16 + times.length * 12 + count * 10;
    sections.put(
        uid + ".timers",
        () -> {
          SnapshotBuffer out = new SnapshotBuffer(sizeHint);
          out.writeLong(wm);
          out.writeInt(times.length);
          for (int t = 0; t < times.length; t++) {
            out.writeLong(times[t]);
            out.writeInt(keys[t].length);
            for (Object k : keys[t]) {
              KEYS.serialize(k, out);
            }
          }
          return out.toByteArray();
        });
    next.barrier(barrier, sections);
  }

  @Override
  public void collect(Object record) {
    try {
      next.accept(record, null, timestamp);
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
    timers.computeIfAbsent(time, t -> new LinkedHashSet<>()).add(state.currentKey());
  }

  @Override
  public void deleteEventTimeTimer(long time) {
    LinkedHashSet<Object> keys = timers.get(time);
    if (keys != null && keys.remove(state.currentKey()) && keys.isEmpty()) {
      timers.remove(time);
    }
  }
}
