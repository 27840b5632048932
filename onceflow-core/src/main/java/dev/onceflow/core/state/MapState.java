package dev.onceflow.core.state;

import java.util.Map;

/** A map per key, scoped to the current key. Checkpointed with the operator. Values are treated as immutable. */
public interface MapState<K, V> {
  /** The value under {@code key} for the current key, or null. */
  V get(K key);

  /** Puts a value for the current key. */
  void put(K key, V value);

  /** Removes a mapping for the current key. */
  void remove(K key);

  /** True if the current key's map contains {@code key}. */
  boolean contains(K key);

  /** A read-only view of the current key's map (empty if none). */
  Map<K, V> entries();

  /** Removes the current key's whole map. */
  void clear();
}
