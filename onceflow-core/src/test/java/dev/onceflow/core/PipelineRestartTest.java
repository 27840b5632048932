package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A new job on the same checkpoint directory resumes where the previous one left off (as a new process would). */
class PipelineRestartTest {
  static final long N = 200_000;
  @TempDir Path tmp;

  private JobHandle start(Fault fault, CheckpointCounter checkpoints) {
    return start(fault, checkpoints, 2);
  }

  private JobHandle start(Fault fault, CheckpointCounter checkpoints, int parallelism) {
    return start(fault, checkpoints, parallelism, 128);
  }

  private JobHandle start(Fault fault, CheckpointCounter checkpoints, int parallelism, int maxParallelism) {
    return Onceflow.pipeline("resume")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .maxParallelism(maxParallelism)
        .parallelism(parallelism)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .listener(checkpoints)
        .source(new FailingSource<>(new GatedSource<>(GeneratorSource.of(N, i -> i), N / 2, checkpoints::completed, 2), fault))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .start();
  }

  @Test
  void aFailedJobResumesInANewExecutionAndAFinishedOneProducesNothingNew() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    JobHandle first = start(new Fault(N / 2, 1, 1, checkpoints::completed, 2), checkpoints);
    assertThrows(JobFailedException.class, first::join);
    assertEquals(JobStatus.FAILED, first.status());
    assertTrue(FileSink.readCommitted(tmp.resolve("out")).size() < N);

    JobHandle second = start(Fault.never(), checkpoints);
    second.join();
    assertEquals(JobStatus.FINISHED, second.status());
    assertTrue(checkpoints.lastRestored() >= 2, "resumed from a completed checkpoint, was " + checkpoints.lastRestored());
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), N, i -> i % 13);
    assertTrue(second.metrics().recordsRead() < N, "the second run did not start from scratch");

    checkpoints.forgetRestored();
    JobHandle third = start(Fault.never(), checkpoints);
    third.join();
    assertEquals(JobStatus.FINISHED, third.status());
    assertEquals(0, third.metrics().recordsRead());
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), N, i -> i % 13);
  }

  @Test
  void resumingWithAnotherParallelismIsRefusedAndLosesNothing() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    JobHandle first = start(new Fault(N / 2, 1, 1, checkpoints::completed, 2), checkpoints);
    assertThrows(JobFailedException.class, first::join);

    JobHandle rescaled = start(Fault.never(), checkpoints, 3);
    JobFailedException refused = assertThrows(JobFailedException.class, rescaled::join);
    String why = String.valueOf(refused.getCause().getMessage());
    assertTrue(why.contains("parallelism 2") && why.contains("parallelism 3"), why);
    assertEquals(0, rescaled.metrics().recordsRead());

    JobHandle resumed = start(Fault.never(), checkpoints, 2);
    resumed.join();
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), N, i -> i % 13);
  }

  @Test
  void resumingWithAnotherMaxParallelismIsRefused() throws Exception {
    CheckpointCounter checkpoints = new CheckpointCounter();
    JobHandle first = start(new Fault(N / 2, 1, 1, checkpoints::completed, 2), checkpoints);
    assertThrows(JobFailedException.class, first::join);

    JobHandle regrouped = start(Fault.never(), checkpoints, 2, 64);
    JobFailedException refused = assertThrows(JobFailedException.class, regrouped::join);
    String why = String.valueOf(refused.getCause().getMessage());
    assertTrue(why.contains("maxParallelism 128") && why.contains("maxParallelism 64"), why);
    assertEquals(0, regrouped.metrics().recordsRead());
  }

  /** A cancel during a long restart back-off ends the job at once (the back-off waits on the cancel, not a sleep). */
  @Test
  @Timeout(60)
  void cancelDuringARestartBackOffDoesNotWaitForTheDelay() throws Exception {
    java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
    JobHandle job = Onceflow.pipeline("backoff")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(1)
        .checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(3, Duration.ofMinutes(10)))
        .listener(new JobListener() {
          @Override
          public void onAttemptFailed(int attempt, Throwable cause) {
            failed.countDown();
          }
        })
        .source(new FailingSource<>(GeneratorSource.of(N, i -> i), new Fault(1, 1, 1, () -> 0, 0)))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .start();
    failed.await();
    job.cancel();
    assertEquals(JobStatus.CANCELLED, job.status());
  }
}
