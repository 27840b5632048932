package dev.onceflow.core.runtime;

/**
 * A node that passes records on unchanged: a source or union root, a union inside a stage, a side-output stream.
 * {@link StageOps} skips it on the record path where it can (an input goes straight to the forward op's output).
 */
final class ForwardOp extends ChainOp {
  @Override
  void accept(Object record, Object key, long timestamp) throws Exception {
    next.accept(record, null, timestamp);
  }
}
