package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.CheckpointDirectoryLockedException;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobStatus;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.core.testing.GatedSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Issue 9, defect 8: one checkpoint directory, one running job; the second instance is refused and told who. */
class CheckpointDirectoryLockTest {
  private static final long N = 10_000;
  @TempDir Path tmp;

  private JobHandle start(String name, long pauseAt, java.util.function.LongSupplier gate) {
    return Onceflow.pipeline(name)
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(10))
        .checkpointDir(tmp.resolve("ckpt"))
        .source(new GatedSource<>(GeneratorSource.of(N, i -> i), pauseAt, gate, 1))
        .keyBy(i -> i % 7)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out-" + name), Encoder.<String>utf8String()))
        .start();
  }

  @Test
  @Timeout(60)
  void aSecondJobInTheSameProcessIsRefusedWhileTheFirstRuns() throws Exception {
    java.util.concurrent.atomic.AtomicLong open = new java.util.concurrent.atomic.AtomicLong();
    JobHandle first = start("first", N / 2, open::get); // paused half way until the gate opens
    CheckpointDirectoryLockedException e =
        assertThrows(CheckpointDirectoryLockedException.class, () -> start("second", 0, () -> 1));
    assertEquals(ProcessHandle.current().pid(), e.holderPid());
    assertTrue(e.getMessage().contains("'first'") && e.getMessage().contains("pid " + e.holderPid())
        && e.getMessage().contains(e.holderStarted()), e.getMessage());
    open.set(1);
    first.join();
    assertEquals(JobStatus.FINISHED, first.status());

    JobHandle again = start("first", 0, () -> 1); // released with the job
    again.join();
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out-first")), N, i -> i % 7);
  }

  @Test
  @Timeout(60)
  void anotherProcessHoldingTheDirectoryIsNamedAndKill9ReleasesIt() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), LockHolderChild.class.getName(),
        tmp.resolve("ckpt").toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("LOCKED", in.readLine());
      CheckpointDirectoryLockedException e =
          assertThrows(CheckpointDirectoryLockedException.class, () -> start("job", 0, () -> 1));
      assertEquals(child.pid(), e.holderPid());
      assertTrue(e.getMessage().contains("another process") && e.getMessage().contains("'holder'"), e.getMessage());
    } finally {
      child.destroyForcibly(); // SIGKILL: the OS releases the lock
      child.waitFor();
    }
    JobHandle job = start("job", 0, () -> 1);
    job.join();
    assertEquals(JobStatus.FINISHED, job.status());
  }
}
