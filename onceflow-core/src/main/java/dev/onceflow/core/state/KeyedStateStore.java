package dev.onceflow.core.state;

import dev.onceflow.core.serialization.TypeSerializer;

/**
 * Creates keyed state in {@link dev.onceflow.core.KeyedProcessFunction#open}. State is partitioned by key group,
 * snapshotted in every checkpoint and restored after a failure. Names must be unique per operator and stable across
 * restarts (they identify the state in checkpoints).
 */
public interface KeyedStateStore {
  /** A value per key, serialised with {@code serializer} in checkpoints. */
  <T> ValueState<T> valueState(String name, TypeSerializer<T> serializer);

  /**
   * A value per key that expires {@code ttl} of processing time after its last update: reads of an expired value
   * return null and expired values are dropped from snapshots. Processing time is not replayed, so what expires
   * depends on when a replay happens; for replay-stable expiry use event-time timers (as deduplicate does).
   */
  <T> ValueState<T> valueState(String name, TypeSerializer<T> serializer, java.time.Duration ttl);

  /** A value per key, serialised with {@link dev.onceflow.core.serialization.Serializers#generic()}. */
  <T> ValueState<T> valueState(String name);

  /** A map per key. */
  <K, V> MapState<K, V> mapState(String name, TypeSerializer<K> keySerializer, TypeSerializer<V> valueSerializer);

  /** A map per key, with generic serializers. */
  <K, V> MapState<K, V> mapState(String name);

  /** A list per key. */
  <T> ListState<T> listState(String name, TypeSerializer<T> serializer);

  /** A list per key, with the generic serializer. */
  <T> ListState<T> listState(String name);
}
