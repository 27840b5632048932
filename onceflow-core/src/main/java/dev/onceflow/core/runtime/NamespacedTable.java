package dev.onceflow.core.runtime;

import java.util.Arrays;

/**
 * The entries of one namespaced state of a subtask ({@link dev.onceflow.core.state.internal.NamespacedState}): one
 * open-addressing table (linear probing, at most half full) over (key, namespace), in parallel arrays. A lookup
 * compares the stored hash and namespace first, so it dereferences a stored key only on a likely match: one probe of
 * three arrays and one key, where a map per key costs two chains of nodes (key group map, key's map, entry, boxed
 * namespace). Removal shifts the following entries back (no tombstones).
 *
 * <p>A snapshot is a copy of the three arrays ({@link #copy}, no per-entry work on the task thread); the copy is
 * grouped by key group and key on the checkpoint I/O thread into the {@code MapState<Long, V>} layout.
 */
final class NamespacedTable {
  private static final int MIN_CAPACITY = 16;

  private Object[] keys = new Object[MIN_CAPACITY];
  private long[] namespaces = new long[MIN_CAPACITY];
  private Object[] values = new Object[MIN_CAPACITY];
  private int[] hashes = new int[MIN_CAPACITY];
  private int size;

  /** The hash of (key, namespace) from the key's mixed hash ({@link KeyGroups#mixedHash}). */
  static int hash(int keyHash, long namespace) {
    return KeyGroups.murmurMix(keyHash + 0x9E3779B9 * Long.hashCode(namespace));
  }

  private int find(Object key, int h, long namespace) {
    int mask = keys.length - 1;
    for (int i = h & mask; ; i = (i + 1) & mask) {
      Object k = keys[i];
      if (k == null) {
        return ~i;
      }
      if (hashes[i] == h && namespaces[i] == namespace && (k == key || k.equals(key))) {
        return i;
      }
    }
  }

  Object get(Object key, int keyHash, long namespace) {
    int i = find(key, hash(keyHash, namespace), namespace);
    return i < 0 ? null : values[i];
  }

  void put(Object key, int keyHash, long namespace, Object value) {
    int h = hash(keyHash, namespace);
    int i = find(key, h, namespace);
    if (i >= 0) {
      values[i] = value;
      return;
    }
    if (2 * (size + 1) > keys.length) {
      grow();
      i = find(key, h, namespace);
    }
    i = ~i;
    keys[i] = key;
    namespaces[i] = namespace;
    values[i] = value;
    hashes[i] = h;
    size++;
  }

  void remove(Object key, int keyHash, long namespace) {
    int i = find(key, hash(keyHash, namespace), namespace);
    if (i < 0) {
      return;
    }
    int mask = keys.length - 1;
    // backward shift: move each following entry of the probe run into the gap unless its home lies after the gap
    for (int j = (i + 1) & mask; keys[j] != null; j = (j + 1) & mask) {
      int home = hashes[j] & mask;
      boolean homeInGapToJ = i <= j ? (home > i && home <= j) : (home > i || home <= j);
      if (!homeInGapToJ) {
        keys[i] = keys[j];
        namespaces[i] = namespaces[j];
        values[i] = values[j];
        hashes[i] = hashes[j];
        i = j;
      }
    }
    keys[i] = null;
    values[i] = null;
    size--;
  }

  int size() {
    return size;
  }

  private void grow() {
    Object[] oldKeys = keys;
    long[] oldNamespaces = namespaces;
    Object[] oldValues = values;
    int[] oldHashes = hashes;
    int capacity = oldKeys.length * 2;
    keys = new Object[capacity];
    namespaces = new long[capacity];
    values = new Object[capacity];
    hashes = new int[capacity];
    int mask = capacity - 1;
    for (int o = 0; o < oldKeys.length; o++) {
      if (oldKeys[o] != null) {
        int i = oldHashes[o] & mask;
        while (keys[i] != null) {
          i = (i + 1) & mask;
        }
        keys[i] = oldKeys[o];
        namespaces[i] = oldNamespaces[o];
        values[i] = oldValues[o];
        hashes[i] = oldHashes[o];
      }
    }
  }

  /** The entries as of now: array copies, so later updates (and growth) do not reach it. */
  Copy copy() {
    return new Copy(keys.clone(), namespaces.clone(), values.clone(), size);
  }

  /** A snapshot of the table: slots with a null key are empty. */
  record Copy(Object[] keys, long[] namespaces, Object[] values, int size) {
    /**
     * The entries grouped by key group, then key, as {@link HeapKeyedState}'s MAP state copies: per key group the
     * keys and, per key, its (namespace as Long, value) pairs flattened. Runs on the checkpoint I/O thread.
     */
    java.util.List<HeapKeyedState.GroupCopy> byKeyGroup(int maxParallelism) {
      // chain the entries of each key: head index per distinct key, next index per entry
      java.util.HashMap<Object, Integer> heads = new java.util.HashMap<>(2 * size);
      int[] next = new int[keys.length];
      int[] pairs = new int[keys.length];
      for (int e = 0; e < keys.length; e++) {
        if (keys[e] != null) {
          Integer previous = heads.put(keys[e], e);
          next[e] = previous == null ? -1 : previous;
          pairs[e] = previous == null ? 1 : pairs[previous] + 1;
        }
      }
      int n = heads.size();
      Object[] distinct = new Object[n];
      int[] head = new int[n];
      int[] group = new int[n];
      int[] perGroup = new int[maxParallelism + 1];
      int d = 0;
      for (var entry : heads.entrySet()) {
        distinct[d] = entry.getKey();
        head[d] = entry.getValue();
        group[d] = KeyGroups.keyGroup(distinct[d], maxParallelism);
        perGroup[group[d] + 1]++;
        d++;
      }
      for (int g = 0; g < maxParallelism; g++) {
        perGroup[g + 1] += perGroup[g];
      }
      int[] order = new int[n]; // distinct keys sorted by key group (counting sort)
      int[] fill = Arrays.copyOf(perGroup, maxParallelism);
      for (int k = 0; k < n; k++) {
        order[fill[group[k]]++] = k;
      }
      java.util.List<HeapKeyedState.GroupCopy> out = new java.util.ArrayList<>();
      for (int g = 0; g < maxParallelism; g++) {
        int from = perGroup[g];
        int to = perGroup[g + 1];
        if (from == to) {
          continue;
        }
        Object[] groupKeys = new Object[to - from];
        Object[] groupValues = new Object[to - from];
        for (int k = from; k < to; k++) {
          int key = order[k];
          int e = head[key];
          Object[] flat = new Object[2 * pairs[e]];
          for (int p = 0; e >= 0; e = next[e]) {
            flat[p++] = namespaces[e];
            flat[p++] = values[e];
          }
          groupKeys[k - from] = distinct[key];
          groupValues[k - from] = flat;
        }
        out.add(new HeapKeyedState.GroupCopy(g, groupKeys, groupValues, to - from));
      }
      return out;
    }
  }
}
