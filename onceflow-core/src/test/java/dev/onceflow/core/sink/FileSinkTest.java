package dev.onceflow.core.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.FailingSource;
import dev.onceflow.core.testing.Fault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FileSink recovery touches only the files of its own pipeline, sink and subtask. */
class FileSinkTest {
  @TempDir Path tmp;

  @Test
  void recoveryOfAnotherPipelineInTheSameDirectoryLeavesThisOnesFilesAlone() throws Exception {
    Path dir = tmp.resolve("out");
    FileSink<String> sink = FileSink.of(dir, Encoder.utf8String());
    TwoPhaseCommitWriter<String> a = sink.createWriter(new SinkContext("job-a", sink.name(), 0, 1));
    a.beginTransaction();
    a.write("a1");
    byte[] pendingA = a.preCommit(1);
    a.beginTransaction();
    a.write("a2"); // in progress

    // job B (same sink name, same subtask index, same directory) starts and recovers
    sink.abortLingering(new SinkContext("job-b", sink.name(), 0, 1), List.of());
    // and so does a second sink of job A with another name
    sink.named("other").abortLingering(new SinkContext("job-a", "other", 0, 1), List.of());

    sink.commit(pendingA);
    byte[] pendingA2 = a.preCommit(2);
    sink.commit(pendingA2);
    assertEquals(List.of("a1", "a2"), FileSink.readCommitted(dir, "job-a", sink.name()));
    assertEquals(List.of(), FileSink.readCommitted(dir, "job-b", sink.name()));
    String name = new String(pendingA, StandardCharsets.UTF_8);
    assertTrue(name.startsWith(".part-" + sink.owner("job-a") + "-0-c") && name.startsWith(".part-job_a-"), name);
  }

  @Test
  void recoveryAbortsItsOwnLingeringFilesOnlyAndLeavesOldNamedOnes() throws Exception {
    Path dir = tmp.resolve("out");
    FileSink<String> sink = FileSink.of(dir, Encoder.utf8String());
    SinkContext ctx = new SinkContext("job-a", sink.name(), 0, 1);
    TwoPhaseCommitWriter<String> w = sink.createWriter(ctx);
    w.beginTransaction();
    w.write("lost");
    byte[] unrecorded = w.preCommit(1);
    w.beginTransaction();
    w.write("recorded");
    byte[] recorded = w.preCommit(2);
    w.beginTransaction();
    w.write("open");
    Path oldInProgress = Files.writeString(dir.resolve(".part-0-1a2b.inprogress"), "old\n");
    Path oldPending = Files.writeString(dir.resolve(".part-0-c00000000000000000001-1a2b.pending"), "old\n");

    sink.commit(recorded);
    sink.abortLingering(ctx, List.of(recorded));

    assertEquals(List.of("recorded"), FileSink.readCommitted(dir, "job-a", sink.name()));
    assertFalse(Files.exists(dir.resolve(new String(unrecorded, StandardCharsets.UTF_8))), "unrecorded pending file");
    try (var s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith(".part-job_a-")
          && p.getFileName().toString().endsWith(".inprogress")), "own in-progress file deleted");
    }
    assertTrue(Files.exists(oldInProgress) && Files.exists(oldPending), "files of the old naming are not ours to delete");
    // a pending file of the old naming that a restored checkpoint recorded still commits, and is read
    sink.commit(oldPending.getFileName().toString().getBytes(StandardCharsets.UTF_8));
    assertTrue(FileSink.readCommitted(dir).contains("old"));
  }

  /**
   * Two exactly-once pipelines write one directory and fail and recover over and over: each one's start-up and
   * restart recovery must leave the other's in-progress and pending files alone, and each commits its output once.
   */
  @Test
  void twoPipelinesSharingADirectoryThroughFailuresEachCommitExactlyOnce() throws Exception {
    Path dir = tmp.resolve("out");
    long n = 100_000;
    JobHandle a = start("pipe-a", dir, n);
    JobHandle b = start("pipe-b", dir, n);
    a.join();
    b.join();
    Expectations.assertExactlyOnce(FileSink.readCommitted(dir, "pipe-a", "file"), n, i -> i % 13);
    Expectations.assertExactlyOnce(FileSink.readCommitted(dir, "pipe-b", "file"), n, i -> i % 13);
  }

  private JobHandle start(String name, Path dir, long n) {
    CheckpointCounter checkpoints = new CheckpointCounter();
    return Onceflow.pipeline(name)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .batchSize(64)
        .checkpointInterval(Duration.ofMillis(5))
        .checkpointDir(tmp.resolve("ckpt-" + name))
        .restartStrategy(RestartStrategy.fixedDelay(20, Duration.ofMillis(1)))
        .listener(checkpoints)
        .source(new FailingSource<>(GeneratorSource.of(n, i -> i), new Fault(n / 10, n / 10, 8, checkpoints::completed, 1)))
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(dir, Encoder.<String>utf8String()))
        .start();
  }
}
