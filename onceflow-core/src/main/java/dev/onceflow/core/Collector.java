package dev.onceflow.core;

/** Receives the records a user function emits. Not thread-safe: use it only inside the call that received it. */
@FunctionalInterface
public interface Collector<T> {
  /** Emits one record downstream. */
  void collect(T record);
}
