package dev.onceflow.core.runtime;

import java.util.Arrays;

/**
 * The entries of one namespaced state of a subtask ({@link dev.onceflow.core.state.internal.NamespacedState}): one
 * open-addressing table (linear probing, at most half full) over (key, namespace), in parallel arrays. A lookup
 * compares the stored hash and namespace first, so it dereferences a stored key only on a likely match: one probe of
 * three arrays and one key, where a map per key costs two chains of nodes (key group map, key's map, entry, boxed
 * namespace). Removal shifts the following entries back (no tombstones).
 *
 * <p>A snapshot ({@link #copy}, on the task thread) copies the entries of the namespaces changed since the previous
 * snapshot when that one has been written (a scan, no per-entry work elsewhere), else the three arrays; the copy is
 * grouped by namespace on the checkpoint I/O thread and written in the NAMESPACED layout, reusing the previous
 * snapshot's bytes of every unchanged namespace.
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
   * The entries as of now, with the namespaces changed since the previous copy, whose serialised chunks {@link
   * Copy#writeTo} reuses for the others. Task thread. When the previous copy has been written (its chunks exist)
   * and the changes are listed, only the changed namespaces' entries are copied: one scan of the namespaces, where
   * copying the three arrays of a table of every open window (hundreds of thousands of slots) allocated and filled
   * megabytes per checkpoint and per subtask (at 50 ms, with 166 windows x 500 keys open, the copies and their
   * zeroing were about a quarter of the samples the interval added). Otherwise array copies, so later updates (and
   * growth) do not reach it.
   */
  Copy copy() {
    Copy previous = lastCopy;
    long[] changedIds = changed.take();
    Copy.Chunks written = previous == null ? null : previous.chunks;
    if (previous != null) {
      previous.previous = null; // at most two copies alive, even if checkpoints are abandoned before their I/O
    }
    lastCopy = changedIds != null && written != null
        ? Copy.ofChanged(keys, namespaces, values, changedIds, written)
        : new Copy(keys.clone(), namespaces.clone(), values.clone(), changedIds, previous, null);
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
    /** Namespaces changed since {@link #previous} (or since {@link #base} was written); null = all. */
    private final long[] changed;
    private volatile Copy previous;
    /**
     * Set when this copy holds only the entries of the {@link #changed} namespaces: the chunks of the previous copy,
     * already written, which hold every other namespace.
     */
    private Chunks base;
    /** After {@link #writeTo} succeeded: each namespace's chunk, for the next snapshot. Read by another I/O run. */
    private volatile Chunks chunks;

    private record Chunks(long[] namespaces, byte[][] bytes) {
      byte[] of(long namespace) {
        int i = Arrays.binarySearch(namespaces, namespace);
        return i < 0 ? null : bytes[i];
      }
    }

    Copy(Object[] keys, long[] namespaces, Object[] values, long[] changed, Copy previous, Chunks base) {
      this.base = base;
      this.keys = keys;
      this.namespaces = namespaces;
      this.values = values;
      this.changed = changed;
      this.previous = previous;
    }

    /** The entries of the {@code changed} namespaces, over the chunks {@code written} of the previous copy. */
    static Copy ofChanged(Object[] keys, long[] namespaces, Object[] values, long[] changed, Chunks written) {
      int n = 0;
      Object[] k = new Object[changed.length == 0 ? 0 : 16];
      long[] s = new long[k.length];
      Object[] v = new Object[k.length];
      if (changed.length > 0) {
        long lo = Long.MAX_VALUE;
        long hi = Long.MIN_VALUE;
        for (long c : changed) {
          lo = Math.min(lo, c);
          hi = Math.max(hi, c);
        }
        for (int e = 0; e < keys.length; e++) {
          long ns = namespaces[e]; // stale in an empty slot: the key decides
          if (ns < lo || ns > hi || keys[e] == null || !ChangedSince.contains(changed, ns)) {
            continue;
          }
          if (n == k.length) {
            k = Arrays.copyOf(k, 2 * n);
            s = Arrays.copyOf(s, 2 * n);
            v = Arrays.copyOf(v, 2 * n);
          }
          k[n] = keys[e];
          s[n] = ns;
          v[n] = values[e];
          n++;
        }
      }
      return new Copy(Arrays.copyOf(k, n), Arrays.copyOf(s, n), Arrays.copyOf(v, n), changed, null, written);
    }

    /** Runs once, on the checkpoint I/O thread. */
    void writeTo(dev.onceflow.core.checkpoint.SnapshotBuffer out,
        dev.onceflow.core.serialization.TypeSerializer<Object> keySerializer,
        dev.onceflow.core.serialization.TypeSerializer<Object> valueSerializer) throws java.io.IOException {
      // the previous snapshot's chunks are valid for this one only if it was serialised (a checkpoint can be
      // abandoned before its I/O ran) and every change since is in this one's list
      Copy before = previous;
      Chunks reusable = base != null ? base : before == null || changed == null ? null : before.chunks;
      boolean onlyChanged = base != null;
      previous = null; // no chain of copies: each keeps only its own chunks
      base = null;
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
      if (onlyChanged) {
        chunkNamespaces = withUnchanged(reusable.namespaces(), changed, chunkNamespaces);
      }
      byte[][] chunkBytes = new byte[chunkNamespaces.length][];
      out.writeInt(chunkNamespaces.length);
      for (int c = 0; c < chunkNamespaces.length; c++) {
        long ns = chunkNamespaces[c];
        byte[] old = reusable == null || ChangedSince.contains(changed, ns) ? null : reusable.of(ns);
        if (old != null) {
          out.write(old);
          chunkBytes[c] = old;
          continue;
        }
        int d = indexOf(slots, distinct, ns);
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

    /**
     * The sorted union of the previous chunks' namespaces not in {@code changed} and the changed namespaces that
     * still have entries ({@code fresh}, sorted); the two are disjoint. A changed namespace without entries was
     * removed.
     */
    private static long[] withUnchanged(long[] previous, long[] changed, long[] fresh) {
      long[] all = new long[previous.length + fresh.length];
      int n = 0;
      int f = 0;
      for (long ns : previous) {
        if (ChangedSince.contains(changed, ns)) {
          continue;
        }
        while (f < fresh.length && fresh[f] < ns) {
          all[n++] = fresh[f++];
        }
        all[n++] = ns;
      }
      while (f < fresh.length) {
        all[n++] = fresh[f++];
      }
      return Arrays.copyOf(all, n);
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
