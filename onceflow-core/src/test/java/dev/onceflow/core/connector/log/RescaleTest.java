package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobFailedException;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobStatus;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import dev.onceflow.log.Log;
import dev.onceflow.log.TopicConfig;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A log-to-log EXACTLY_ONCE job restored on its checkpoint directory with another parallelism: keyed state moves by key
 * group, source partitions move with their positions, and the old subtasks' sink transactions are resolved. The
 * per-key counts (1..n for every key, each once) prove no record was lost, repeated or counted against the wrong state.
 */
class RescaleTest {
  static final long N = 60_000;
  static final long KEYS = 17;

  @TempDir Path tmp;

  private JobHandle start(Log log, int parallelism, Fault fault, CheckpointCounter checkpoints) {
    return Onceflow.pipeline("rescale")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(parallelism)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.noRestart())
        .listener(checkpoints)
        .source(new FailingSource<>(new GatedSource<>(LogSource.of(log, "posts", b -> Long.parseLong(
            new String(b, StandardCharsets.UTF_8))).bounded(), N / 6, checkpoints::completed, 2), fault))
        .keyBy(i -> i % KEYS)
        .process(new CountPerKey())
        .sinkTo(LogSink.transactional(log, "counts", Encoder.<String>utf8String()))
        .start();
  }

  @Test
  void aJobResumesWithMoreAndThenFewerSubtasksAndStaysExactlyOnce() throws Exception {
    try (Log log = Log.open(tmp.resolve("log"))) {
      LogTopics.fill(log, "posts", 6, N, Long::toString);
      log.createTopic("counts", TopicConfig.partitions(2));

      CheckpointCounter first = new CheckpointCounter();
      JobHandle p2 = start(log, 2, new Fault(N / 3, 1, 1, first::completed, 2), first);
      assertFailedByTheFault(assertThrows(JobFailedException.class, p2::join));

      CheckpointCounter second = new CheckpointCounter();
      JobHandle p3 = start(log, 3, new Fault(N / 3, 1, 1, second::completed, 2), second);
      assertFailedByTheFault(assertThrows(JobFailedException.class, p3::join));
      assertTrue(second.lastRestored() > 0, "the rescaled run restored a checkpoint");
      assertTrue(p3.metrics().recordsRead() < N, "the rescaled run did not start over");

      CheckpointCounter third = new CheckpointCounter();
      JobHandle p1 = start(log, 1, Fault.never(), third);
      p1.join();
      assertEquals(JobStatus.FINISHED, p1.status());
      assertTrue(third.lastRestored() > 0, "the run at parallelism 1 restored a checkpoint");
      Expectations.assertExactlyOnce(LogTopics.values(LogTopics.readCommitted(log, "counts")), N, i -> i % KEYS);
      assertTrue(log.preparedTransactions("rescale").isEmpty(), "no prepared transaction left behind");
    }
  }

  private static void assertFailedByTheFault(JobFailedException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof Fault.InjectedFault) {
        return;
      }
    }
    throw new AssertionError("the run failed, but not by the injected fault", e);
  }
}
