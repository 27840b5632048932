package dev.onceflow.core.runtime;

import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.MapState;
import dev.onceflow.core.state.ValueState;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link HeapKeyedState}, the engine's keyed state, as a keyed operator uses it per record: set the current key (which
 * computes its key group), then get and put. One operation = one record. The state is filled before the measurement
 * with {@code keys} distinct keys, and the records visit them in a random order, so a large key count measures hash
 * lookups that miss the CPU caches, as a job with many keys does.
 *
 * <ul>
 *   <li>{@code valueGetPut}: a per-key count in {@code ValueState<Long>}: {@code value()}, then {@code update(v + 1)}
 *       (a boxed Long per update, as user code writes it).
 *   <li>{@code mapGetPut}: a per-key {@code MapState<Long, Long>} of 4 entries (say, 4 open windows): {@code get}, then
 *       {@code put} of one entry.
 *   <li>{@code namespacedGetPut}: the same 4 entries per key in namespaced state (the window operator's slots: one
 *       table over (key, window index), a primitive namespace): {@code get}, then {@code put} of one entry.
 * </ul>
 *
 * String keys are {@code "user-<n>"} (hash codes cached, as a key taken from a record field usually is); Long keys are
 * boxed. Key groups: the default maximum parallelism, 128, all owned by this one subtask.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class KeyedStateBenchmark {
  static final int ORDER_LENGTH = 1 << 20;
  static final int MAP_ENTRIES = 4;

  /** The keys, their random visiting order and the store: shared by both states below. */
  @State(Scope.Thread)
  public abstract static class Keys {
    @Param({"10000", "1000000"})
    public int keys;

    @Param({"String", "Long"})
    public String keyType;

    Object[] keyObjects;
    int[] order;
    int next;
    HeapKeyedState store;

    void createKeys() {
      keyObjects = new Object[keys];
      for (int i = 0; i < keys; i++) {
        switch (keyType) {
          case "String" -> {
            String s = "user-" + i;
            s.hashCode();
            keyObjects[i] = s;
          }
          case "Long" -> keyObjects[i] = Long.valueOf(i);
          default -> throw new IllegalArgumentException("keyType must be String or Long, was " + keyType);
        }
      }
      SplittableRandom random = new SplittableRandom(42);
      order = new int[ORDER_LENGTH];
      for (int i = 0; i < ORDER_LENGTH; i++) {
        order[i] = random.nextInt(keys);
      }
      store = new HeapKeyedState(KeyGroups.DEFAULT_MAX_PARALLELISM);
    }

    final Object nextKey() {
      int i = next;
      next = (i + 1) & (ORDER_LENGTH - 1);
      return keyObjects[order[i]];
    }
  }

  /** A ValueState with a count for every key. */
  public static class Values extends Keys {
    ValueState<Long> count;

    @Setup
    public void setUp() {
      createKeys();
      count = store.valueState("count", Serializers.LONG);
      for (Object k : keyObjects) {
        store.setCurrentKey(k);
        count.update(0L);
      }
    }
  }

  /** A MapState with {@value #MAP_ENTRIES} entries for every key. */
  public static class Maps extends Keys {
    MapState<Long, Long> windows;
    final Long[] mapKeys = new Long[MAP_ENTRIES];
    int nextMapKey;

    @Setup
    public void setUp() {
      createKeys();
      windows = store.mapState("windows", Serializers.LONG, Serializers.LONG);
      for (int e = 0; e < MAP_ENTRIES; e++) {
        mapKeys[e] = 1_000L + e;
      }
      for (Object k : keyObjects) {
        store.setCurrentKey(k);
        for (Long mk : mapKeys) {
          windows.put(mk, 0L);
        }
      }
    }
  }

  /** {@value #MAP_ENTRIES} entries for every key in namespaced state, as the window operator keeps its slots. */
  public static class Namespaced extends Keys {
    dev.onceflow.core.state.internal.NamespacedState<Long> windows;
    int nextNamespace;

    @Setup
    public void setUp() {
      createKeys();
      windows = store.namespacedState("windows", Serializers.LONG);
      for (Object k : keyObjects) {
        store.setCurrentKey(k);
        for (int e = 0; e < MAP_ENTRIES; e++) {
          windows.put(1_000L + e, 0L);
        }
      }
    }
  }

  /** One record's count: set the key, read the value, write it + 1. */
  @Benchmark
  public Long valueGetPut(Values s) {
    s.store.setCurrentKey(s.nextKey());
    Long v = s.count.value();
    Long updated = v == null ? 1L : v + 1;
    s.count.update(updated);
    return updated;
  }

  /** One record's map entry: set the key, get one of its entries, put it + 1. */
  @Benchmark
  public Long mapGetPut(Maps s) {
    s.store.setCurrentKey(s.nextKey());
    Long mk = s.mapKeys[s.nextMapKey];
    s.nextMapKey = (s.nextMapKey + 1) & (MAP_ENTRIES - 1);
    Long v = s.windows.get(mk);
    Long updated = v == null ? 1L : v + 1;
    s.windows.put(mk, updated);
    return updated;
  }

  /** One record's window slot: set the key, get one of its namespaces' values, put it + 1. */
  @Benchmark
  public Long namespacedGetPut(Namespaced s) {
    s.store.setCurrentKey(s.nextKey());
    long namespace = 1_000L + s.nextNamespace;
    s.nextNamespace = (s.nextNamespace + 1) & (MAP_ENTRIES - 1);
    Long v = s.windows.get(namespace);
    Long updated = v == null ? 1L : v + 1;
    s.windows.put(namespace, updated);
    return updated;
  }
}
