package dev.onceflow.core.runtime;

import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * All operators of one subtask of a stage, as the one head its task drives. Records go to the entry operator of the
 * input they came from (stage 0: of the source branch, for a tagged union of several sources); every control call is
 * made on every operator once, in topological order, so an operator sees a watermark, barrier or end of input only
 * after everything upstream of it in the stage has handled it (and emitted what it emits on it). That is what lets a
 * stage be a graph (a stream read by several branches, several sinks, side outputs, a union) instead of a chain.
 */
final class StageOps extends ChainOp {
  private final ChainOp[] ops;
  private final ChainOp[] entries;
  private final boolean tagged;
  private final byte[] shape;
  /** The user operators whose counts are published, their meters (in, out) and what was published so far. */
  private ChainOp[] counted = new ChainOp[0];
  private dev.onceflow.core.metrics.internal.SubtaskCounter[][] meters;
  private long[] publishedIn;
  private long[] publishedOut;

  /** Checkpoint section of every subtask: version byte 1, then the stage's {@link JobGraph#shape} in UTF-8. */
  static final String SHAPE = "_shape";

  static final byte SHAPE_VERSION = 1;

  /**
   * @param ops every operator of the stage once, in topological order
   * @param entries per input (stage 0 with a tagged source: per branch), the operator its records go to
   * @param tagged the records handed to {@link #accept} are {@link UnionSource.Tagged}
   * @param shape the stage's {@link JobGraph#shape}, written into every checkpoint
   */
  StageOps(List<ChainOp> ops, ChainOp[] entries, boolean tagged, String shape) {
    this.ops = ops.toArray(new ChainOp[0]);
    this.entries = entries;
    this.tagged = tagged;
    byte[] text = shape.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    this.shape = new byte[text.length + 1];
    this.shape[0] = SHAPE_VERSION;
    System.arraycopy(text, 0, this.shape, 1, text.length);
  }

  /**
   * Publishes the records in/out of {@code ops} (each a user operator of this stage) into {@code meters} (per op: in,
   * out) once per batch and on every control call.
   */
  void countInto(List<ChainOp> ops, List<dev.onceflow.core.metrics.internal.SubtaskCounter[]> meters) {
    this.counted = ops.toArray(new ChainOp[0]);
    this.meters = meters.toArray(new dev.onceflow.core.metrics.internal.SubtaskCounter[0][]);
    this.publishedIn = new long[counted.length];
    this.publishedOut = new long[counted.length];
  }

  private void publishCounts() {
    ChainOp[] c = counted;
    for (int i = 0; i < c.length; i++) {
      long in = c[i].recordsIn;
      long out = c[i].recordsOut;
      if (in != publishedIn[i]) {
        meters[i][0].add(in - publishedIn[i]);
        publishedIn[i] = in;
      }
      if (out != publishedOut[i]) {
        meters[i][1].add(out - publishedOut[i]);
        publishedOut[i] = out;
      }
    }
  }

  /** The shape recorded in a {@link #SHAPE} section, or null if {@code section} is not of a version this build reads. */
  static String shapeOf(byte[] section) {
    if (section == null || section.length == 0 || section[0] != SHAPE_VERSION) {
      return null;
    }
    return new String(section, 1, section.length - 1, java.nio.charset.StandardCharsets.UTF_8);
  }

  @Override
  void accept(Object record, Object key, long timestamp) throws Exception {
    if (tagged) {
      UnionSource.Tagged t = (UnionSource.Tagged) record;
      entries[t.branch()].accept(t.value(), null, timestamp);
    } else {
      entries[0].accept(record, key, timestamp);
    }
  }

  /** A record that arrived on input {@code input}. */
  void acceptFrom(int input, Object record, Object key, long timestamp) throws Exception {
    entries[input].accept(record, key, timestamp);
  }

  @Override
  void open(TaskContext ctx) throws Exception {
    for (ChainOp op : ops) {
      op.open(ctx);
    }
  }

  @Override
  void restore(List<Map<String, byte[]>> sections) throws Exception {
    for (ChainOp op : ops) {
      op.restore(sections);
    }
  }

  @Override
  void watermark(long watermark) throws Exception {
    for (ChainOp op : ops) {
      op.watermark(watermark);
    }
    publishCounts();
  }

  @Override
  void idle() throws Exception {
    for (ChainOp op : ops) {
      op.idle();
    }
    publishCounts();
  }

  @Override
  void replayEnd() throws Exception {
    for (ChainOp op : ops) {
      op.replayEnd();
    }
  }

  @Override
  void endInput() throws Exception {
    for (ChainOp op : ops) {
      op.endInput();
    }
    publishCounts();
  }

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    byte[] s = shape;
    sections.put(SHAPE, () -> s);
    for (ChainOp op : ops) {
      op.barrier(barrier, sections);
    }
    publishCounts();
  }

  @Override
  void endOfBatch() throws Exception {
    for (ChainOp op : ops) {
      op.endOfBatch();
    }
    publishCounts();
  }

  @Override
  void flushIdle() throws Exception {
    for (ChainOp op : ops) {
      op.flushIdle();
    }
    publishCounts();
  }

  /** Closes every operator, also when one fails to close (each may hold a transaction to abort); rethrows the first. */
  @Override
  void close(boolean failed) throws Exception {
    publishCounts();
    Exception first = null;
    for (ChainOp op : ops) {
      try {
        op.close(failed);
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    if (first != null) {
      throw first;
    }
  }
}
