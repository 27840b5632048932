package dev.onceflow.core.state.internal;

/**
 * A keyed state store that counts its snapshots, so a built-in operator may mutate a stored value in place instead of
 * replacing it on every update. A snapshot copies references to the stored values on the barrier and serialises them
 * later on another thread; a value written since the latest snapshot (stamped with the current epoch) is referenced by
 * no snapshot and may be mutated in place, a value stamped with an earlier epoch may be and must be replaced by a copy
 * before it changes (copy-on-write). Not an API: user state stays immutable (see ValueState).
 */
public interface SnapshotEpoch {
  /** Incremented by every snapshot, before its copy of references is handed on; starts at 0. */
  long snapshotEpoch();
}
