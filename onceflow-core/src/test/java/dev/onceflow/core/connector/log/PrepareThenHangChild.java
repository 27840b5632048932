package dev.onceflow.core.connector.log;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.ForwardingTwoPhaseCommitWriter;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.log.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * The child JVM of {@link LowerParallelismRecoveryCrashTest}: runs the bounded log-to-log keyed count at the given
 * parallelism with only the final checkpoint (id 1). Each sink subtask prepares its transaction of checkpoint 1,
 * prints "PREPARED subtask", and then hangs, so checkpoint 1 never completes: the parent SIGKILLs the JVM while every
 * subtask's transaction is PREPARED and no checkpoint records any of them.
 */
public final class PrepareThenHangChild {
  public static final String JOB = "lower";
  public static final long KEYS = 97;

  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    Path ckptDir = Path.of(args[1]);
    int parallelism = Integer.parseInt(args[2]);
    CountDownLatch never = new CountDownLatch(1);
    try (Log log = Log.open(logDir)) {
      TwoPhaseCommitSink<String> inner = LogSink.transactional(log, "counts", Encoder.<String>utf8String());
      TwoPhaseCommitSink<String> hanging = new TwoPhaseCommitSink<>() {
        @Override
        public String name() {
          return inner.name();
        }

        @Override
        public TwoPhaseCommitWriter<String> createWriter(SinkContext context) throws Exception {
          TwoPhaseCommitWriter<String> w = inner.createWriter(context);
          return new ForwardingTwoPhaseCommitWriter<>(w) {
            @Override
            public byte[] preCommit(long checkpointId) throws Exception {
              byte[] token = w.preCommit(checkpointId);
              System.out.println((token.length > 0 ? "PREPARED " : "EMPTY ") + context.subtask());
              never.await(); // hold checkpoint 1 open until the parent kills this JVM
              return token;
            }
          };
        }

        @Override
        public void commit(byte[] token) throws Exception {
          inner.commit(token);
        }

        @Override
        public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
          inner.abortLingering(context, recordedTokens);
        }
      };
      Onceflow.pipeline(JOB)
          .guarantee(Guarantee.EXACTLY_ONCE)
          .parallelism(parallelism)
          .checkpointDir(ckptDir)
          .source(LogSource.of(log, "posts", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded())
          .keyBy(i -> i % KEYS)
          .process(new CountPerKey())
          .sinkTo(hanging)
          .execute();
    }
  }
}
