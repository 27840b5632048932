package dev.onceflow.core.testing;

import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.Pipeline;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The protocol of the crash tests' child JVMs (see {@link ChildJvm}): the lines a child prints for the test to aim its
 * kills at. {@code CKPT n} when checkpoint n completed, {@code COMMITTED n} when the sinks committed it,
 * {@code <progressWord> r} every {@code every} records read, {@code FINISHED} at the end.
 */
public final class ChildJob {
  private ChildJob() {}

  /** Prints {@code CKPT n} and {@code COMMITTED n}; in-process restarts go to stderr. */
  public static JobListener printingListener() {
    return printingListener(0);
  }

  /**
   * {@link #printingListener()} that, when the {@code holdAt}-th checkpoint completed (0 = never), prints
   * {@code HELD CKPT n} and blocks the coordinator forever: the checkpoint's metadata is durable and no sink committed
   * it, the moment the test kills the child at.
   */
  public static JobListener printingListener(int holdAt) {
    AtomicInteger countdown = new AtomicInteger(holdAt);
    CountDownLatch never = new CountDownLatch(1);
    return new JobListener() {
      @Override
      public void onCheckpointCompleted(long id) {
        System.out.println("CKPT " + id);
        if (holdAt > 0 && countdown.decrementAndGet() == 0) {
          System.out.println("HELD CKPT " + id);
          System.out.flush();
          try {
            never.await();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }

      @Override
      public void onSinkCommitted(long id) {
        System.out.println("COMMITTED " + id);
      }

      @Override
      public void onAttemptFailed(int attempt, Throwable cause) {
        System.err.println("attempt " + attempt + " failed: " + cause);
      }
    };
  }

  /**
   * Starts {@code pipeline}, prints {@code <progressWord> <records read>} every {@code every} records until it ended,
   * rethrows its failure, and prints {@code FINISHED}.
   */
  public static void runPrintingProgress(Pipeline pipeline, String progressWord, long every)
      throws InterruptedException {
    JobHandle job = pipeline.start();
    long reported = 0;
    while (!job.awaitTermination(Duration.ofMillis(1))) {
      long read = job.metrics().recordsRead();
      if (read / every > reported / every) {
        System.out.println(progressWord + " " + read);
        reported = read;
      }
    }
    job.join();
    System.out.println("FINISHED");
    System.out.flush();
  }
}
