package dev.onceflow.verify;

import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.metrics.CheckpointStats;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.Source;

/**
 * What the {@link CrashHarness} needs from a child's pipeline, for children built outside this package (the
 * {@code dev.onceflow.verify.custom} jobs): the {@code INPUT_END} line and the pacing on its source, and the
 * {@code PREPARED} lines on its sink, the listener printing the other protocol lines and the progress loop.
 * {@link JobPipelines} does the same for the built-in jobs.
 */
public final class ChildInstrumentation {
  private ChildInstrumentation() {}

  /**
   * {@code source} printing {@code INPUT_END} once every subtask read all its input, paced to
   * {@code recordsPerSecond} in total (0 = not paced).
   */
  public static <T> Source<T> source(Source<T> source, long recordsPerSecond) {
    Source<T> s = new EndOfInputSource<>(source);
    return recordsPerSecond > 0 ? new PacedSource<>(s, recordsPerSecond) : s;
  }

  /** {@code sink} printing {@code PREPARED [id]} after each writer's pre-commit (or flush on a barrier). */
  public static <T> Sink<T> sink(Sink<T> sink) {
    return PrepareReportingSink.wrap(sink);
  }

  /**
   * The listener printing the child protocol's job lines: {@code CHECKPOINT <id>}, {@code COMMIT <id>},
   * {@code ATTEMPT_FAILED <n> <root cause>} and each checkpoint's {@link CheckpointRecord#line statistics}.
   */
  public static JobListener protocolListener() {
    return new JobListener() {
      @Override
      public void onCheckpointCompleted(long id) {
        System.out.println("CHECKPOINT " + id);
      }

      @Override
      public void onSinkCommitted(long id) {
        System.out.println("COMMIT " + id);
      }

      @Override
      public void onRecovery(dev.onceflow.core.metrics.RecoveryEvent e) {
        if (e.kind() == dev.onceflow.core.metrics.RecoveryEvent.Kind.ATTEMPT_FAILED) {
          // the runtime's root cause, on one line: the verifier logs it, so an attempt that failed on its own says why
          String why = e.cause() == null ? "" : " " + e.cause().replaceAll("\\s+", " ");
          System.out.println("ATTEMPT_FAILED " + e.attempt() + why);
        }
      }

      @Override
      public void onCheckpointStats(CheckpointStats stats) {
        System.out.println(CheckpointRecord.line(stats));
      }
    };
  }

  /**
   * Waits for {@code job} to end, printing {@code PROGRESS <records read>} every {@code every} records, then joins it
   * (throwing its failure).
   */
  public static void runPrintingProgress(JobHandle job, long every) throws InterruptedException {
    long step = Math.max(1, every);
    long reported = 0;
    while (!job.awaitTermination(java.time.Duration.ofMillis(2))) {
      long read = job.metrics().recordsRead();
      if (read / step > reported / step) {
        System.out.println("PROGRESS " + read);
        reported = read;
      }
    }
    job.join();
  }
}
