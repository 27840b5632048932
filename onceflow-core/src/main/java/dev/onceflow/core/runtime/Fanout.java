package dev.onceflow.core.runtime;

/**
 * Hands each record to every operator that reads a node's output (a stream with several consumers: branches, several
 * sinks). Not a stage operator itself: control calls reach its targets through {@link StageOps}.
 */
final class Fanout extends ChainOp {
  private final ChainOp[] targets;

  Fanout(ChainOp[] targets) {
    this.targets = targets;
  }

  @Override
  void accept(Object record, Object key, long timestamp) throws Exception {
    for (ChainOp t : targets) {
      t.accept(record, key, timestamp);
    }
  }

  /** {@code ops} as one output: null if empty, the operator itself if one, else a fan-out. */
  static ChainOp of(java.util.List<ChainOp> ops) {
    return ops.isEmpty() ? null : ops.size() == 1 ? ops.get(0) : new Fanout(ops.toArray(new ChainOp[0]));
  }
}
