package dev.onceflow.core.runtime;

import dev.onceflow.core.Guarantee;

/**
 * The last operator of a chain: hands records to a sink. Under AT_MOST_ONCE a restored attempt starts with writes
 * dropped: records replayed to rebuild state were (or may have been) output before the failure, and writing them again
 * would repeat an effect. {@link ReplayEnd} turns writes on (see {@link SourceTask}); every source subtask sends it
 * once per attempt unless the end-of-input flush had begun before the failure.
 */
abstract class SinkOp extends ChainOp {
  private boolean suppressed;
  /** Records handed to the writer; the job's meters read it. */
  dev.onceflow.core.metrics.internal.SubtaskCounter written = new dev.onceflow.core.metrics.internal.SubtaskCounter();

  @Override
  final void open(TaskContext ctx) throws Exception {
    suppressed = ctx.guarantee() == Guarantee.AT_MOST_ONCE;
    openSink(ctx);
  }

  /** Creates the sink's writer for this subtask. */
  abstract void openSink(TaskContext ctx) throws Exception;

  @Override
  final void accept(Object record, Object key, long ts) throws Exception {
    if (!suppressed) {
      write(record);
      written.increment();
    }
  }

  /** Hands one record to the sink's writer. */
  abstract void write(Object record) throws Exception;

  /** The replayed records have all arrived: write from now on. */
  @Override
  final void replayEnd() {
    suppressed = false;
  }

  @Override
  void watermark(long watermark) {}
}
