package dev.onceflow.core.runtime;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import java.util.Map;
import java.util.concurrent.Callable;

/** Writes through a plain or idempotent sink; flushes on every barrier before the subtask acknowledges. */
final class WriteThroughSinkOp extends SinkOp {
  private final WriteThroughSink<Object> sink;
  private SinkWriter<Object> writer;

  WriteThroughSinkOp(WriteThroughSink<Object> sink) {
    this.sink = sink;
  }

  @Override
  void openSink(TaskContext ctx) throws Exception {
    writer = sink.createWriter(new SinkContext(ctx.jobName(), sink.name(), ctx.subtask(), ctx.parallelism()));
  }

  @Override
  void write(Object record) throws Exception {
    writer.write(record);
  }

  @Override
  void endInput() throws Exception {
    writer.flush();
  }

  @Override
  void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) throws Exception {
    writer.flush();
  }

  /** Write-through means written per input batch (or as the writer batches them), not held until the barrier. */
  @Override
  void endOfBatch() throws Exception {
    writer.endOfBatch();
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
