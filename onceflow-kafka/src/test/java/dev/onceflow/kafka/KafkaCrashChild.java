package dev.onceflow.kafka;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.testing.ChildJob;
import dev.onceflow.core.testing.CountPerKey;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The child JVM of {@link KafkaCrashTest}: a Kafka-to-Kafka keyed count (bounded source) printing its progress
 * ("READ n", "PREPARED id", "CKPT id", "COMMITTING id", "COMMITTED id", finally "FINISHED") so the parent can
 * SIGKILL it at chosen moments. Arguments: bootstrap, input topic, output topic, checkpoint dir, guarantee, mode.
 * Modes: {@code run}; {@code hang-commit:K} (the K-th commit call blocks after printing COMMITTING: the parent kills
 * the process between checkpoint completion and commit); {@code mutation} (commits each transaction on its barrier,
 * before its checkpoint completed: the broken design the test must catch).
 */
public final class KafkaCrashChild {
  static final long KEYS = 31;

  public static void main(String[] args) throws Exception {
    String bootstrap = args[0];
    Guarantee guarantee = Guarantee.valueOf(args[4]);
    String mode = args[5];
    Sink<String> sink = KafkaSink.<String>builder().bootstrapServers(bootstrap).topic(args[2])
        .valueEncoder(Encoder.utf8String()).guarantee(guarantee).build();
    if (guarantee == Guarantee.EXACTLY_ONCE) {
      @SuppressWarnings("unchecked")
      TwoPhaseCommitSink<String> tx = (TwoPhaseCommitSink<String>) sink;
      int hangAt = mode.startsWith("hang-commit:") ? Integer.parseInt(mode.substring(12)) : -1;
      sink = new Observed(tx, hangAt, mode.equals("mutation"));
    }
    Pipeline p = Onceflow.pipeline("kcrash")
        .guarantee(guarantee)
        .parallelism(2)
        .batchSize(32)
        .channelCapacity(2)
        .checkpointInterval(Duration.ofMillis(50))
        .checkpointDir(Path.of(args[3]))
        // A transient broker error under load restarts in process; the kills are the test, not such errors.
        .restartStrategy(RestartStrategy.fixedDelay(10, Duration.ofMillis(500)))
        .listener(ChildJob.printingListener());
    p.source(KafkaSource.<Long>builder().bootstrapServers(bootstrap).topics(args[1]).bounded()
            .decoder(b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).build())
        .keyBy(i -> i % KEYS)
        .process(new CountPerKey())
        .sinkTo(sink);
    ChildJob.runPrintingProgress(p, "READ", 1000);
    System.exit(0);
  }

  /** Delegates everything; prints what happens; optionally hangs in a commit, or commits too early (mutation). */
  private static final class Observed implements TwoPhaseCommitSink<String> {
    private final TwoPhaseCommitSink<String> d;
    private final int hangAt;
    private final boolean mutation;
    private final AtomicInteger commits = new AtomicInteger();

    Observed(TwoPhaseCommitSink<String> d, int hangAt, boolean mutation) {
      this.d = d;
      this.hangAt = hangAt;
      this.mutation = mutation;
    }

    @Override
    public String name() {
      return d.name();
    }

    @Override
    public TwoPhaseCommitWriter<String> createWriter(SinkContext context) throws Exception {
      return new ForwardingTwoPhaseCommitWriter<>(d.createWriter(context)) {
        @Override
        public byte[] preCommit(long checkpointId) throws Exception {
          byte[] token = delegate.preCommit(checkpointId);
          if (mutation) {
            d.commit(token); // BROKEN on purpose: visible before the checkpoint that covers it completed
          }
          System.out.println("PREPARED " + checkpointId);
          return token;
        }
      };
    }

    @Override
    public void commit(byte[] token) throws Exception {
      if (commits.incrementAndGet() == hangAt) {
        System.out.println("COMMITTING " + hangAt);
        System.out.flush();
        new CountDownLatch(1).await(); // the parent SIGKILLs us here: checkpoint completed, commit not sent
      }
      d.commit(token);
    }

    @Override
    public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
      d.abortLingering(context, recordedTokens);
    }
  }
}
