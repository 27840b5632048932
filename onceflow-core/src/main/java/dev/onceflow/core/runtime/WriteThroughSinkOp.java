package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import java.util.Map;
import java.util.concurrent.Callable;

/** Writes through a plain or idempotent sink; flushes on every barrier before the subtask acknowledges. */
final class WriteThroughSinkOp extends ChainOp {
  private final WriteThroughSink<Object> sink;
  private SinkWriter<Object> writer;
  // AT_MOST_ONCE: records replayed to rebuild state were (or may have been) output before the crash; writing them
  // again would repeat an effect. Every source subtask sends ReplayEnd once per attempt, so this always ends.
  private boolean suppressed;

  WriteThroughSinkOp(WriteThroughSink<Object> sink) {
    this.sink = sink;
  }

  @Override
  void open(TaskContext ctx) throws Exception {
    suppressed = ctx.guarantee() == Guarantee.AT_MOST_ONCE;
    writer = sink.createWriter(new SinkContext(ctx.jobName(), sink.name(), ctx.subtask(), ctx.parallelism()));
  }

  @Override
  void accept(Object record, Object key, long ts) throws Exception {
    if (!suppressed) {
      writer.write(record);
    }
  }

  /** The replayed records have all arrived: write from now on. */
  @Override
  void replayEnd() {
    suppressed = false;
  }

  @Override
  void watermark(long watermark) {}

  @Override
  void endInput() throws Exception {
    writer.flush();
  }

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    writer.flush();
  }

  /** Write-through means written per input batch, not held until the next barrier. */
  @Override
  void endOfBatch() throws Exception {
    writer.flush();
  }

  /** Input idle: make buffered records visible so a quiet stream does not hold output back. */
  @Override
  void flushIdle() throws Exception {
    writer.flush();
  }

  @Override
  void close(boolean failed) throws Exception {
    if (writer != null) {
      writer.close();
    }
  }
}
