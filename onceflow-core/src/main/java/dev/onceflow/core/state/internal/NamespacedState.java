package dev.onceflow.core.state.internal;

import dev.onceflow.core.serialization.TypeSerializer;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.MapState;

/**
 * Keyed state scoped by the current key and a {@code long} namespace (a window's index): one hash lookup per access,
 * where a {@link MapState} of the key costs two dependent ones (the key's map, then the entry) and a boxed key. In
 * checkpoints it is exactly a {@code MapState<Long, V>} of the same name (namespace serialised as a Long), so an
 * operator can move between the two without a new checkpoint format. Not an API: built-in operators only.
 *
 * @param <V> the value; mutated in place only under the rules of {@link SnapshotEpoch}
 */
public interface NamespacedState<V> {
  /** The current key's value in {@code namespace}, or null. */
  V get(long namespace);

  /** Sets the current key's value in {@code namespace} (not null). */
  void put(long namespace, V value);

  /** Removes the current key's value in {@code namespace}, if any. */
  void remove(long namespace);

  /** A store that has namespaced state natively. */
  interface Store {
    /** Declares namespaced state {@code name}; checkpointed as {@code MapState<Long, V>} with {@code values}. */
    <V> NamespacedState<V> namespacedState(String name, TypeSerializer<V> values);
  }

  /**
   * Namespaced state {@code name} of {@code store}: native if the store has it, else over a {@link MapState} of the
   * same name (same checkpoint bytes, two lookups).
   */
  static <V> NamespacedState<V> of(KeyedStateStore store, String name, TypeSerializer<V> values) {
    if (store instanceof Store s) {
      return s.namespacedState(name, values);
    }
    MapState<Long, V> map = store.mapState(name, dev.onceflow.core.serialization.Serializers.LONG, values);
    return new NamespacedState<>() {
      @Override
      public V get(long namespace) {
        return map.get(namespace);
      }

      @Override
      public void put(long namespace, V value) {
        map.put(namespace, value);
      }

      @Override
      public void remove(long namespace) {
        map.remove(namespace);
      }
    };
  }
}
