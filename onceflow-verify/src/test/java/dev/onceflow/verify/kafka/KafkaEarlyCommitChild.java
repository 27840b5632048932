package dev.onceflow.verify.kafka;

import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.verify.JobMain;
import dev.onceflow.verify.JobRunSpec;
import dev.onceflow.verify.OutputRow;
import dev.onceflow.verify.SinkFactory;
import dev.onceflow.verify.TornCheckpointChild;

/**
 * A deliberately broken child (test code only): its Kafka sink commits each transaction on the checkpoint barrier,
 * right after preparing it, before the checkpoint that covers it completed. A kill after that commit and before the
 * checkpoint completed replays records whose output is already visible: the verifier must report the broken promise.
 */
public final class KafkaEarlyCommitChild {
  private KafkaEarlyCommitChild() {}

  public static void main(String[] args) throws Exception {
    JobRunSpec spec = JobRunSpec.fromArgs(args);
    SinkFactory real = KafkaIo.sinks(spec.io());
    System.exit(JobMain.run(spec, KafkaIo.sources(spec.io()), (log, topic, job, guarantee) -> {
      @SuppressWarnings("unchecked")
      TwoPhaseCommitSink<OutputRow> d = (TwoPhaseCommitSink<OutputRow>) real.create(log, topic, job, guarantee);
      return TornCheckpointChild.committingOnTheBarrier(d);
    }));
  }
}
