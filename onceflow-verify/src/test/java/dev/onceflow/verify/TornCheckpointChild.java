package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.log.Log;
import java.util.List;

/**
 * A deliberately broken child (test code only): the orders job with a torn checkpoint. Its inventory sink commits
 * each transaction on the barrier, right after preparing it, so the inventory's output of checkpoint n is visible
 * before n completed, while the events of n are committed only after; the two sinks are no longer in one atomic
 * checkpoint. A kill between the barrier and the completion aborts the events of n and replays them, and the
 * inventory's changes of n are written (or applied) a second time: the checker must report it.
 */
public final class TornCheckpointChild {
  private TornCheckpointChild() {}

  public static void main(String[] args) throws Exception {
    JobRunSpec spec = JobRunSpec.fromArgs(args);
    SinkFactory real = ChildIo.sinks(spec.io());
    System.exit(JobMain.run(spec, ChildIo.sources(spec.io()), new SinkFactory() {
      @Override
      public Sink<OutputRow> create(Log log, String topic, Job job, Guarantee guarantee) {
        return create(log, topic, job, Job.OUTPUT, guarantee);
      }

      @Override
      public Sink<OutputRow> create(Log log, String topic, Job job, String output, Guarantee guarantee) {
        Sink<OutputRow> s = real.create(log, topic, job, output, guarantee);
        return OrdersJob.INVENTORY.equals(output) ? committingOnTheBarrier((TwoPhaseCommitSink<OutputRow>) s) : s;
      }
    }));
  }

  /** {@code d}, but each transaction is committed as soon as it is prepared: the mutation the checker must catch. */
  public static TwoPhaseCommitSink<OutputRow> committingOnTheBarrier(TwoPhaseCommitSink<OutputRow> d) {
    return new TwoPhaseCommitSink<>() {
      @Override
      public String name() {
        return d.name();
      }

      @Override
      public TwoPhaseCommitWriter<OutputRow> createWriter(SinkContext context) throws Exception {
        return new ForwardingTwoPhaseCommitWriter<>(d.createWriter(context)) {
          @Override
          public byte[] preCommit(long checkpointId) throws Exception {
            byte[] token = delegate.preCommit(checkpointId);
            d.commit(token); // BROKEN on purpose: visible before its checkpoint completed, unlike the events
            return token;
          }
        };
      }

      @Override
      public void commit(byte[] token) throws Exception {
        d.commit(token);
      }

      @Override
      public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
        d.abortLingering(context, recordedTokens);
      }
    };
  }
}
