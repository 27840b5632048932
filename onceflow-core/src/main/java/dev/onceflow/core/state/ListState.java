package dev.onceflow.core.state;

import java.util.List;

/** A list per key, scoped to the current key. Checkpointed with the operator. Elements are treated as immutable. */
public interface ListState<T> {
  /** Appends an element to the current key's list. */
  void add(T value);

  /** A read-only view of the current key's list (empty if none). */
  List<T> get();

  /** Replaces the current key's list. */
  void update(List<T> values);

  /** Removes the current key's list. */
  void clear();
}
