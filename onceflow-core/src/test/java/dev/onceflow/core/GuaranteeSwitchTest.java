package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import dev.onceflow.core.testing.GatedSource;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, defect 4: a job restarted on a checkpoint directory under another guarantee is refused when the snapshot
 * (or the last run) cannot give the new guarantee, before it reads anything; the refusal is typed, names both
 * guarantees and the way to start fresh, and is not retried.
 */
class GuaranteeSwitchTest {
  static final long N = 100_000;
  @TempDir Path tmp;

  private JobHandle start(Guarantee g, Fault fault, CheckpointCounter checkpoints) {
    return Onceflow.pipeline("switch")
        .guarantee(g)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(5, Duration.ofMillis(1)))
        .listener(checkpoints)
        .source(new FailingSource<>(
            new GatedSource<>(GeneratorSource.of(N, i -> i), N / 2, checkpoints::completed, 2), fault))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .start();
  }

  /** Runs {@code g} until it failed for good after at least two completed checkpoints. */
  private void failAfterCheckpoints(Guarantee g, CheckpointCounter checkpoints) throws Exception {
    JobHandle first = Onceflow.pipeline("switch")
        .guarantee(g)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .listener(checkpoints)
        .source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(N, i -> i), N / 2, checkpoints::completed, 2),
            new Fault(N / 2, 1, 1, checkpoints::completed, 2)))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .start();
    assertThrows(JobFailedException.class, first::join);
    assertTrue(checkpoints.completed() >= 2);
  }

  @Test
  void atLeastOnceCheckpointIsRefusedUnderExactlyOnceAndStillResumesUnderAtLeastOnce() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    failAfterCheckpoints(Guarantee.AT_LEAST_ONCE, checkpoints);

    JobHandle switched = start(Guarantee.EXACTLY_ONCE, Fault.never(), checkpoints);
    JobFailedException e = assertThrows(JobFailedException.class, switched::join);
    assertTrue(e.nonRecoverable(), "a refused restore must not be retried");
    assertEquals(0, switched.metrics().restarts());
    assertEquals(0, switched.metrics().recordsRead());
    IncompatibleCheckpointException why = assertInstanceOf(IncompatibleCheckpointException.class, e.getCause());
    String m = why.getMessage();
    assertTrue(m.contains("AT_LEAST_ONCE") && m.contains("EXACTLY_ONCE") && m.contains("new checkpoint directory"), m);

    JobHandle resumed = start(Guarantee.AT_LEAST_ONCE, Fault.never(), checkpoints);
    resumed.join();
    Expectations.assertNothingMissing(FileSink.readCommitted(tmp.resolve("out")), N);
  }

  @Test
  void exactlyOnceCheckpointServesAtLeastOnce() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    failAfterCheckpoints(Guarantee.EXACTLY_ONCE, checkpoints);
    JobHandle weaker = start(Guarantee.AT_LEAST_ONCE, Fault.never(), checkpoints);
    weaker.join();
    assertEquals(JobStatus.FINISHED, weaker.status());
    assertTrue(weaker.metrics().recordsRead() < N, "resumed from the checkpoint, not from scratch");
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), N, i -> i % 13);
  }

  @Test
  void aSwitchIsRefusedEvenWhenTheOtherRunCompletedNoCheckpoint() throws Exception {
    JobHandle first = Onceflow.pipeline("switch")
        .guarantee(Guarantee.AT_LEAST_ONCE)
        .parallelism(2)
        .checkpointDir(tmp.resolve("ckpt"))
        .source(new FailingSource<>(GeneratorSource.of(N, i -> i), new Fault(1000, 1, 1, () -> 0, 0)))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .start();
    assertThrows(JobFailedException.class, first::join);

    JobHandle switched = start(Guarantee.EXACTLY_ONCE, Fault.never(), new CheckpointCounter());
    JobFailedException e = assertThrows(JobFailedException.class, switched::join);
    String m = assertInstanceOf(IncompatibleCheckpointException.class, e.getCause()).getMessage();
    assertTrue(m.contains("last job started") && m.contains("AT_LEAST_ONCE"), m);
  }
}
