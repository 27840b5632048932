package dev.onceflow.core.state;

/**
 * One value per key, scoped to the key of the record (or timer) being processed. Checkpointed with the operator.
 * Treat stored values as immutable: after changing an object call {@link #update} again (snapshots copy references).
 */
public interface ValueState<T> {
  /** The value for the current key, or null. */
  T value();

  /** Sets the value for the current key; null clears it. */
  void update(T value);

  /** Removes the value for the current key. */
  void clear();
}
