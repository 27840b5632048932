package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.SnapshotBuffer;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.serialization.TypeSerializer;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ListState;
import dev.onceflow.core.state.MapState;
import dev.onceflow.core.state.ValueState;
import java.io.DataInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Keyed state of one operator subtask, on the heap, partitioned by key group (one HashMap per key group per state) so
 * whole key groups can be moved when rescaling. The current key is set by the operator before each user call.
 *
 * <p>Snapshot = a flat copy of every key group's entries into arrays (plus a one-level copy of map/list values, which
 * this class mutates in place), taken synchronously on the barrier; serialisation runs later on the checkpoint I/O
 * thread. Stored user values must therefore be treated as immutable (documented on ValueState); built-in operators
 * that mutate their values in place do so only for values written since the latest snapshot ({@link
 * dev.onceflow.core.state.internal.SnapshotEpoch}).
 *
 * <p>Namespaced state ({@link dev.onceflow.core.state.internal.NamespacedState}, the window operator's slots) lives in
 * one {@link NamespacedTable} per state instead of maps per key group; its snapshot is a copy of the table's arrays,
 * grouped by key group and key on the I/O thread and written exactly as MAP state with Long keys.
 *
 * <p>Section format: state count (int); per state: name (UTF), kind (byte), key-group count (int); per key group:
 * key group (int), entry count (int), entries (key with the generic serializer, value with the state's serializer;
 * for MAP a count and key/value pairs, for LIST a count and elements).
 */
final class HeapKeyedState
    implements KeyedStateStore, dev.onceflow.core.state.internal.SnapshotEpoch,
        dev.onceflow.core.state.internal.NamespacedState.Store {
  private static final byte VALUE = 0;
  private static final byte MAP = 1;
  private static final byte LIST = 2;
  /**
   * Namespaced state ({@link NamespacedTable}): declared as MAP state (namespace to value), written per namespace
   * instead of per key group so a snapshot can reuse the chunks of unchanged namespaces. Restores as either.
   */
  private static final byte NAMESPACED = 3;
  private static final TypeSerializer<Object> KEYS = Serializers.generic();

  private final int maxParallelism;
  private final Map<String, Table> tables = new LinkedHashMap<>();
  private Object currentKey;
  private int currentKeyHash;
  private int currentKeyGroup;
  /** Snapshots taken so far: values stamped with an older epoch may be referenced by one (see SnapshotEpoch). */
  private long epoch;

  HeapKeyedState(int maxParallelism) {
    this.maxParallelism = maxParallelism;
  }

  void setCurrentKey(Object key) {
    this.currentKey = key;
    this.currentKeyHash = KeyGroups.mixedHash(key);
    this.currentKeyGroup = KeyGroups.keyGroupOfHash(currentKeyHash, maxParallelism);
  }

  Object currentKey() {
    return currentKey;
  }

  @Override
  public long snapshotEpoch() {
    return epoch;
  }

  private static final class Table {
    final String name;
    final byte kind;
    final TypeSerializer<Object> s1;
    final TypeSerializer<Object> s2;
    final HashMap<Object, Object>[] groups;
    long ttlMillis; // > 0: VALUE entries are Timed and expire
    /** Namespaced state: its entries are here, not in groups; checkpointed as MAP state. */
    NamespacedTable namespaced;

    @SuppressWarnings("unchecked")
    Table(String name, byte kind, TypeSerializer<?> s1, TypeSerializer<?> s2, int maxParallelism) {
      this.name = name;
      this.kind = kind;
      this.s1 = (TypeSerializer<Object>) s1;
      this.s2 = (TypeSerializer<Object>) s2;
      this.groups = new HashMap[maxParallelism];
    }

    HashMap<Object, Object> group(int kg) {
      HashMap<Object, Object> m = groups[kg];
      if (m == null) {
        m = new HashMap<>();
        groups[kg] = m;
      }
      return m;
    }
  }

  private Table register(String name, byte kind, TypeSerializer<?> s1, TypeSerializer<?> s2) {
    if (tables.containsKey(name)) {
      throw new IllegalArgumentException("state '" + name + "' is declared twice in one operator: use unique names");
    }
    Table t = new Table(name, kind, s1, s2, maxParallelism);
    tables.put(name, t);
    return t;
  }

  @Override
  public <T> ValueState<T> valueState(String name, TypeSerializer<T> serializer) {
    Table t = register(name, VALUE, serializer, null);
    return new ValueState<>() {
      @Override
      @SuppressWarnings("unchecked")
      public T value() {
        HashMap<Object, Object> m = t.groups[currentKeyGroup];
        return m == null ? null : (T) m.get(currentKey);
      }

      @Override
      public void update(T value) {
        if (value == null) {
          clear();
        } else {
          t.group(currentKeyGroup).put(currentKey, value);
        }
      }

      @Override
      public void clear() {
        HashMap<Object, Object> m = t.groups[currentKeyGroup];
        if (m != null) {
          m.remove(currentKey);
        }
      }
    };
  }

  /** A value with its last update time (processing time), for TTL state. */
  record Timed(long writtenAt, Object value) {}

  @Override
  public <T> ValueState<T> valueState(String name, TypeSerializer<T> serializer, java.time.Duration ttl) {
    long ttlMillis = ttl.toMillis();
    if (ttlMillis <= 0) {
      throw new IllegalArgumentException("state ttl must be positive, was " + ttl);
    }
    TypeSerializer<Timed> timed = new TypeSerializer<>() {
      @Override
      public void serialize(Timed t, java.io.DataOutput out) throws IOException {
        out.writeLong(t.writtenAt);
        serializer.serialize(castValue(t.value), out);
      }

      @Override
      public Timed deserialize(java.io.DataInput in) throws IOException {
        long at = in.readLong();
        return new Timed(at, serializer.deserialize(in));
      }
    };
    Table t = register(name, VALUE, timed, null);
    t.ttlMillis = ttlMillis;
    return new ValueState<>() {
      @Override
      @SuppressWarnings("unchecked")
      public T value() {
        HashMap<Object, Object> m = t.groups[currentKeyGroup];
        Timed v = m == null ? null : (Timed) m.get(currentKey);
        if (v == null) {
          return null;
        }
        if (System.currentTimeMillis() - v.writtenAt >= ttlMillis) {
          m.remove(currentKey);
          return null;
        }
        return (T) v.value;
      }

      @Override
      public void update(T value) {
        if (value == null) {
          clear();
        } else {
          t.group(currentKeyGroup).put(currentKey, new Timed(System.currentTimeMillis(), value));
        }
      }

      @Override
      public void clear() {
        HashMap<Object, Object> m = t.groups[currentKeyGroup];
        if (m != null) {
          m.remove(currentKey);
        }
      }
    };
  }

  @SuppressWarnings("unchecked")
  private static <T> T castValue(Object o) {
    return (T) o;
  }

  @Override
  public <T> ValueState<T> valueState(String name) {
    return valueState(name, Serializers.generic());
  }

  @Override
  public <K, V> MapState<K, V> mapState(String name, TypeSerializer<K> ks, TypeSerializer<V> vs) {
    Table t = register(name, MAP, ks, vs);
    return new MapState<>() {
      // get-then-put for the same record is the common pattern: remember the current key's map (identity check)
      private Object cachedKey;
      private HashMap<K, V> cachedMap;

      @SuppressWarnings("unchecked")
      private HashMap<K, V> map(boolean create) {
        if (cachedKey == currentKey && cachedMap != null) {
          return cachedMap;
        }
        HashMap<Object, Object> g = create ? t.group(currentKeyGroup) : t.groups[currentKeyGroup];
        if (g == null) {
          return null;
        }
        HashMap<K, V> m = (HashMap<K, V>) g.get(currentKey);
        if (m == null && create) {
          m = new HashMap<>();
          g.put(currentKey, m);
        }
        cachedKey = currentKey;
        cachedMap = m;
        return m;
      }

      @Override
      public V get(K key) {
        HashMap<K, V> m = map(false);
        return m == null ? null : m.get(key);
      }

      @Override
      public void put(K key, V value) {
        map(true).put(key, value);
      }

      @Override
      public void remove(K key) {
        HashMap<K, V> m = map(false);
        if (m != null) {
          m.remove(key);
          if (m.isEmpty()) {
            clear();
          }
        }
      }

      @Override
      public boolean contains(K key) {
        HashMap<K, V> m = map(false);
        return m != null && m.containsKey(key);
      }

      @Override
      public Map<K, V> entries() {
        HashMap<K, V> m = map(false);
        return m == null ? Map.of() : Collections.unmodifiableMap(m);
      }

      @Override
      public void clear() {
        cachedKey = null;
        cachedMap = null;
        HashMap<Object, Object> g = t.groups[currentKeyGroup];
        if (g != null) {
          g.remove(currentKey);
        }
      }
    };
  }

  @Override
  public <K, V> MapState<K, V> mapState(String name) {
    return mapState(name, Serializers.generic(), Serializers.generic());
  }

  @Override
  public <V> dev.onceflow.core.state.internal.NamespacedState<V> namespacedState(
      String name, TypeSerializer<V> values) {
    Table t = register(name, MAP, Serializers.LONG, values);
    NamespacedTable table = new NamespacedTable();
    t.namespaced = table;
    return new dev.onceflow.core.state.internal.NamespacedState<>() {
      @Override
      @SuppressWarnings("unchecked")
      public V get(long namespace) {
        return (V) table.get(currentKey, currentKeyHash, namespace);
      }

      @Override
      public void put(long namespace, V value) {
        table.put(currentKey, currentKeyHash, namespace, java.util.Objects.requireNonNull(value, "value"));
      }

      @Override
      public void remove(long namespace) {
        table.remove(currentKey, currentKeyHash, namespace);
      }
    };
  }

  @Override
  public <T> ListState<T> listState(String name, TypeSerializer<T> serializer) {
    Table t = register(name, LIST, serializer, null);
    return new ListState<>() {
      @Override
      @SuppressWarnings("unchecked")
      public void add(T value) {
        HashMap<Object, Object> g = t.group(currentKeyGroup);
        ((List<T>) g.computeIfAbsent(currentKey, k -> new ArrayList<>())).add(value);
      }

      @Override
      @SuppressWarnings("unchecked")
      public List<T> get() {
        HashMap<Object, Object> g = t.groups[currentKeyGroup];
        List<T> l = g == null ? null : (List<T>) g.get(currentKey);
        return l == null ? List.of() : Collections.unmodifiableList(l);
      }

      @Override
      public void update(List<T> values) {
        if (values == null || values.isEmpty()) {
          clear();
        } else {
          t.group(currentKeyGroup).put(currentKey, new ArrayList<>(values));
        }
      }

      @Override
      public void clear() {
        HashMap<Object, Object> g = t.groups[currentKeyGroup];
        if (g != null) {
          g.remove(currentKey);
        }
      }
    };
  }

  @Override
  public <T> ListState<T> listState(String name) {
    return listState(name, Serializers.generic());
  }

  /**
   * Synchronous copy now; the returned callable serialises the copy (on another thread).
   *
   * <p>The copy is flat: per key group two arrays (keys, values) and, for map and list state, each value's entries as
   * an array. Copying references into arrays costs a fraction of building HashMaps (no hashing, no entry objects), and
   * this runs on the task thread at every barrier. Values themselves are shared, hence immutable (see ValueState).
   */
  Callable<byte[]> snapshot() {
    epoch++; // from here on, a value mutated in place must have been written after this copy (copy-on-write)
    List<Table> tbls = new ArrayList<>(tables.values());
    List<List<GroupCopy>> copies = new ArrayList<>(tbls.size());
    List<NamespacedTable.Copy> namespacedCopies = new ArrayList<>(tbls.size());
    long now = System.currentTimeMillis();
    for (Table t : tbls) {
      if (t.namespaced != null) {
        copies.add(null); // grouped by key group on the I/O thread
        namespacedCopies.add(t.namespaced.copy());
        continue;
      }
      namespacedCopies.add(null);
      List<GroupCopy> c = new ArrayList<>();
      for (int kg = 0; kg < maxParallelism; kg++) {
        HashMap<Object, Object> g = t.groups[kg];
        if (g == null || g.isEmpty()) {
          continue;
        }
        Object[] keys = new Object[g.size()];
        Object[] values = new Object[keys.length];
        int n = 0;
        for (Map.Entry<Object, Object> e : g.entrySet()) {
          Object v = e.getValue();
          if (t.ttlMillis > 0 && now - ((Timed) v).writtenAt >= t.ttlMillis) {
            continue; // expired: not worth restoring
          }
          if (t.kind == MAP) {
            v = flatten((Map<?, ?>) v);
          } else if (t.kind == LIST) {
            v = ((List<?>) v).toArray();
          }
          keys[n] = e.getKey();
          values[n] = v;
          n++;
        }
        c.add(new GroupCopy(kg, keys, values, n));
      }
      copies.add(c);
    }
    int hint = lastSnapshotBytes;
    return () -> {
      byte[] bytes = serialize(tbls, copies, namespacedCopies, hint);
      lastSnapshotBytes = bytes.length;
      return bytes;
    };
  }

  /** Size of the previous snapshot: the next one starts with a buffer that size, so it rarely grows. */
  private volatile int lastSnapshotBytes = 4096;

  /** One key group of one state, copied: {@code n} entries in {@code keys}/{@code values}. */
  record GroupCopy(int keyGroup, Object[] keys, Object[] values, int n) {}

  private static Object[] flatten(Map<?, ?> m) {
    Object[] pairs = new Object[2 * m.size()];
    int i = 0;
    for (Map.Entry<?, ?> e : m.entrySet()) {
      pairs[i++] = e.getKey();
      pairs[i++] = e.getValue();
    }
    return pairs;
  }

  private static byte[] serialize(List<Table> tbls, List<List<GroupCopy>> copies,
      List<NamespacedTable.Copy> namespacedCopies, int sizeHint) throws IOException {
    SnapshotBuffer out = new SnapshotBuffer(sizeHint + sizeHint / 8);
    out.writeInt(tbls.size());
    for (int i = 0; i < tbls.size(); i++) {
      Table t = tbls.get(i);
      out.writeUTF(t.name);
      if (namespacedCopies.get(i) != null) {
        out.writeByte(NAMESPACED);
        namespacedCopies.get(i).writeTo(out, KEYS, t.s2);
        continue;
      }
      out.writeByte(t.kind);
      List<GroupCopy> groups = copies.get(i);
      out.writeInt(groups.size());
      for (GroupCopy g : groups) {
        out.writeInt(g.keyGroup);
        out.writeInt(g.n);
        for (int e = 0; e < g.n; e++) {
          KEYS.serialize(g.keys[e], out);
          writeValue(t, g.values[e], out);
        }
      }
    }
    return out.toByteArray();
  }

  private static void writeValue(Table t, Object v, SnapshotBuffer out) throws IOException {
    switch (t.kind) {
      case VALUE -> t.s1.serialize(v, out);
      case MAP -> {
        Object[] pairs = (Object[]) v;
        out.writeInt(pairs.length / 2);
        for (int i = 0; i < pairs.length; i += 2) {
          t.s1.serialize(pairs[i], out);
          t.s2.serialize(pairs[i + 1], out);
        }
      }
      default -> {
        Object[] l = (Object[]) v;
        out.writeInt(l.length);
        for (Object o : l) {
          t.s1.serialize(o, out);
        }
      }
    }
  }

  /**
   * Restores the key groups {@code owned} accepts from a section written by {@link #snapshot()}; states must already be
   * declared (open()). Called once per old subtask after a change of parallelism.
   */
  void restore(byte[] data, String what, java.util.function.IntPredicate owned) throws IOException {
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data));
    int n = in.readInt();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      byte kind = in.readByte();
      Table t = tables.get(name);
      if (kind == NAMESPACED && t != null && t.kind == MAP) {
        restoreNamespaced(t, in, owned);
        continue;
      }
      if (t == null || t.kind != kind) {
        throw new IOException(
            what + " holds state '" + name + "' that the operator no longer declares (or with another kind):"
                + " keep state names stable across versions, or start from an empty checkpoint directory");
      }
      int groups = in.readInt();
      for (int g = 0; g < groups; g++) {
        int kg = in.readInt();
        int entries = in.readInt();
        boolean mine = owned.test(kg);
        HashMap<Object, Object> m = mine && t.namespaced == null ? t.group(kg) : null;
        for (int e = 0; e < entries; e++) {
          Object key = KEYS.deserialize(in);
          Object value = readValue(t, in);
          if (m != null) {
            m.put(key, value);
          } else if (mine) {
            int keyHash = KeyGroups.mixedHash(key);
            for (Map.Entry<?, ?> entry : ((Map<?, ?>) value).entrySet()) {
              t.namespaced.put(key, keyHash, (Long) entry.getKey(), entry.getValue());
            }
          }
        }
      }
    }
  }

  /** A NAMESPACED section: into the table's namespaced state, or into its MAP state (namespace to value). */
  @SuppressWarnings("unchecked")
  private void restoreNamespaced(Table t, DataInputStream in, java.util.function.IntPredicate owned)
      throws IOException {
    int chunks = in.readInt();
    for (int c = 0; c < chunks; c++) {
      long namespace = in.readLong();
      int entries = in.readInt();
      for (int e = 0; e < entries; e++) {
        Object key = KEYS.deserialize(in);
        Object value = t.s2.deserialize(in);
        int keyHash = KeyGroups.mixedHash(key);
        int kg = KeyGroups.keyGroupOfHash(keyHash, maxParallelism);
        if (!owned.test(kg)) {
          continue;
        }
        if (t.namespaced != null) {
          t.namespaced.put(key, keyHash, namespace, value);
        } else {
          ((HashMap<Object, Object>) t.group(kg).computeIfAbsent(key, k -> new HashMap<>())).put(namespace, value);
        }
      }
    }
  }

  private static Object readValue(Table t, DataInputStream in) throws IOException {
    switch (t.kind) {
      case VALUE:
        return t.s1.deserialize(in);
      case MAP:
        {
          int n = in.readInt();
          HashMap<Object, Object> m = new HashMap<>();
          for (int i = 0; i < n; i++) {
            Object k = t.s1.deserialize(in);
            m.put(k, t.s2.deserialize(in));
          }
          return m;
        }
      default:
        {
          int n = in.readInt();
          List<Object> l = new ArrayList<>(n);
          for (int i = 0; i < n; i++) {
            l.add(t.s1.deserialize(in));
          }
          return l;
        }
    }
  }
}
