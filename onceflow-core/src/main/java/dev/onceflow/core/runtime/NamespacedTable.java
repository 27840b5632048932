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

  /** The namespaces written or removed since the last {@link #copy}: a snapshot re-serialises only these. */
  private final ChangedSince changed = new ChangedSince();
  /** The newest snapshot: the next one reuses its serialised chunks. */
  private Copy lastCopy;

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
    changed.mark(namespace);
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
    changed.mark(namespace);
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

  /**
   * The entries as of now: array copies, so later updates (and growth) do not reach it, with the namespaces changed
   * since the previous copy, whose serialised chunks {@link Copy#writeTo} reuses for the others. Task thread.
   */
  Copy copy() {
    Copy previous = lastCopy;
    if (previous != null) {
      previous.previous = null; // at most two copies alive, even if checkpoints are abandoned before their I/O
    }
    lastCopy = new Copy(keys.clone(), namespaces.clone(), values.clone(), changed.take(), previous);
    return lastCopy;
  }

  /**
   * A snapshot of the table (slots with a null key are empty), written in the NAMESPACED layout of {@link
   * HeapKeyedState}: the number of namespaces, then per namespace a chunk: the namespace (long), its number of
   * entries, and each entry's key and value. A chunk of a namespace unchanged since the previous snapshot is that
   * snapshot's bytes, not serialised again: a window job's table holds every open window of every key (tens of
   * thousands of entries), of which a checkpoint interval changes the few current windows.
   */
  static final class Copy {
    private Object[] keys;
    private long[] namespaces;
    private Object[] values;
    /** Namespaces changed since {@link #previous}; null = all. */
    private final long[] changed;
    private volatile Copy previous;
    /** After {@link #writeTo} succeeded: each namespace's chunk, for the next snapshot. Read by another I/O run. */
    private volatile Chunks chunks;

    private record Chunks(long[] namespaces, byte[][] bytes) {
      byte[] of(long namespace) {
        int i = Arrays.binarySearch(namespaces, namespace);
        return i < 0 ? null : bytes[i];
      }
    }

    Copy(Object[] keys, long[] namespaces, Object[] values, long[] changed, Copy previous) {
      this.keys = keys;
      this.namespaces = namespaces;
      this.values = values;
      this.changed = changed;
      this.previous = previous;
    }

    /** Runs once, on the checkpoint I/O thread. */
    void writeTo(dev.onceflow.core.checkpoint.SnapshotBuffer out,
        dev.onceflow.core.serialization.TypeSerializer<Object> keySerializer,
        dev.onceflow.core.serialization.TypeSerializer<Object> valueSerializer) throws java.io.IOException {
      // the previous snapshot's chunks are valid for this one only if it was serialised (a checkpoint can be
      // abandoned before its I/O ran) and every change since is in this one's list
      Copy before = previous;
      Chunks reusable = before == null || changed == null ? null : before.chunks;
      previous = null; // no chain of copies: each keeps only its own chunks
      // the distinct namespaces, and per entry the index of its namespace (a small open-addressing map)
      long[] distinct = new long[16];
      int n = 0;
      int[] slots = new int[64]; // index + 1 into distinct; 0 = empty
      int[] nsIndex = new int[keys.length];
      for (int e = 0; e < keys.length; e++) {
        if (keys[e] == null) {
          continue;
        }
        long ns = namespaces[e];
        int mask = slots.length - 1;
        int i = KeyGroups.murmurMix(Long.hashCode(ns)) & mask;
        while (slots[i] != 0 && distinct[slots[i] - 1] != ns) {
          i = (i + 1) & mask;
        }
        if (slots[i] != 0) {
          nsIndex[e] = slots[i] - 1;
          continue;
        }
        if (n == distinct.length) {
          distinct = Arrays.copyOf(distinct, 2 * n);
        }
        distinct[n++] = ns;
        slots[i] = n;
        nsIndex[e] = n - 1;
        if (4 * n > slots.length) {
          slots = rehash(distinct, n);
        }
      }
      int[] start = new int[n + 1];
      for (int e = 0; e < keys.length; e++) {
        if (keys[e] != null) {
          start[nsIndex[e] + 1]++;
        }
      }
      for (int d = 0; d < n; d++) {
        start[d + 1] += start[d];
      }
      int[] order = new int[start[n]];
      int[] fill = Arrays.copyOf(start, n);
      for (int e = 0; e < keys.length; e++) {
        if (keys[e] != null) {
          order[fill[nsIndex[e]]++] = e;
        }
      }
      // chunks in namespace order, so the next snapshot finds them by binary search; a primitive sort, not boxed
      // indexes with a comparator, whose TimSort C2 deoptimised (array_check traps) and recompiled 14 times in
      // three 50 ms-interval bench runs: 656 ms of compiling taken from the tasks on 2 cores
      long[] chunkNamespaces = Arrays.copyOf(distinct, n);
      Arrays.sort(chunkNamespaces);
      byte[][] chunkBytes = new byte[n][];
      out.writeInt(n);
      for (int c = 0; c < n; c++) {
        long ns = chunkNamespaces[c];
        int d = indexOf(slots, distinct, ns);
        byte[] old = reusable == null || ChangedSince.contains(changed, ns) ? null : reusable.of(ns);
        if (old != null) {
          out.write(old);
          chunkBytes[c] = old;
          continue;
        }
        int from = out.size();
        out.writeLong(ns);
        out.writeInt(start[d + 1] - start[d]);
        for (int k = start[d]; k < start[d + 1]; k++) {
          int e = order[k];
          keySerializer.serialize(keys[e], out);
          valueSerializer.serialize(values[e], out);
        }
        chunkBytes[c] = Arrays.copyOfRange(out.array(), from, out.size());
      }
      chunks = new Chunks(chunkNamespaces, chunkBytes);
      keys = null; // the next snapshot needs only the chunks
      namespaces = null;
      values = null;
    }

    /** The index in {@code distinct} of {@code ns}, which the slots hold. */
    private static int indexOf(int[] slots, long[] distinct, long ns) {
      int mask = slots.length - 1;
      int i = KeyGroups.murmurMix(Long.hashCode(ns)) & mask;
      while (distinct[slots[i] - 1] != ns) {
        i = (i + 1) & mask;
      }
      return slots[i] - 1;
    }

    private static int[] rehash(long[] distinct, int n) {
      int[] slots = new int[Integer.highestOneBit(n) * 16]; // a power of two, at least 8 n
      int mask = slots.length - 1;
      for (int d = 0; d < n; d++) {
        int i = KeyGroups.murmurMix(Long.hashCode(distinct[d])) & mask;
        while (slots[i] != 0) {
          i = (i + 1) & mask;
        }
        slots[i] = d + 1;
      }
      return slots;
    }
  }
}
