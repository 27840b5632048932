package dev.onceflow.verify.kafka;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.verify.JobMain;
import dev.onceflow.verify.JobRunSpec;
import dev.onceflow.verify.OutputRow;
import dev.onceflow.verify.SinkFactory;
import java.util.List;

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
      return new TwoPhaseCommitSink<OutputRow>() {
        @Override
        public String name() {
          return d.name();
        }

        @Override
        public TwoPhaseCommitWriter<OutputRow> createWriter(SinkContext context) throws Exception {
          TwoPhaseCommitWriter<OutputRow> w = d.createWriter(context);
          return new TwoPhaseCommitWriter<>() {
            @Override
            public void beginTransaction() throws Exception {
              w.beginTransaction();
            }

            @Override
            public void write(OutputRow record) throws Exception {
              w.write(record);
            }

            @Override
            public byte[] preCommit(long checkpointId) throws Exception {
              byte[] token = w.preCommit(checkpointId);
              d.commit(token); // BROKEN on purpose: visible before its checkpoint completed
              return token;
            }

            @Override
            public void abort() throws Exception {
              w.abort();
            }

            @Override
            public void close() throws Exception {
              w.close();
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
    }));
  }
}
