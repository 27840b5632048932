package dev.onceflow.core.testing;

import dev.onceflow.core.JobListener;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Counts completed checkpoints and restores, for gating faults on "at least one checkpoint completed". */
public final class CheckpointCounter implements JobListener {
  private final AtomicLong completed = new AtomicLong();
  private final AtomicInteger restores = new AtomicInteger();
  private final AtomicLong lastRestored = new AtomicLong(-1);

  @Override
  public void onCheckpointCompleted(long id) {
    completed.incrementAndGet();
    synchronized (this) {
      notifyAll();
    }
  }

  /** Waits until at least {@code n} checkpoints completed or {@code timeout} passed; returns whether they did. */
  public synchronized boolean awaitCompleted(long n, java.time.Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (completed.get() < n) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  @Override
  public void onRestored(long checkpointId) {
    restores.incrementAndGet();
    lastRestored.set(checkpointId);
  }

  /** Checkpoints completed so far. */
  public long completed() {
    return completed.get();
  }

  /** How many times a job restored a checkpoint. */
  public int restores() {
    return restores.get();
  }

  /** The id of the checkpoint restored last, -1 if none since the last {@link #forgetRestored()}. */
  public long lastRestored() {
    return lastRestored.get();
  }

  /** Resets {@link #lastRestored()} to -1. */
  public void forgetRestored() {
    lastRestored.set(-1);
  }
}
