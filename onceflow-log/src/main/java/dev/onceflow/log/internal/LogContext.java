package dev.onceflow.log.internal;

import dev.onceflow.log.FsyncPolicy;
import dev.onceflow.log.LogFailedException;
import java.io.IOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** What every partition of one open log shares: the fsync policy, the fail-stop flag and the data signal. */
final class LogContext {
  static final Logger LOGGER = System.getLogger("dev.onceflow.log");

  final FsyncPolicy policy;
  private volatile LogFailedException failure;
  private volatile boolean closed;

  private final ReentrantLock signalLock = new ReentrantLock();
  private final Condition dataArrived = signalLock.newCondition();
  private final AtomicInteger waiters = new AtomicInteger();
  private volatile long dataVersion;

  private final boolean readOnly;
  /** Forces of directories and of segments being sealed, counted for tests of what gets forced. */
  final java.util.concurrent.atomic.AtomicLong directoryForces = new java.util.concurrent.atomic.AtomicLong();
  final java.util.concurrent.atomic.AtomicLong sealForces = new java.util.concurrent.atomic.AtomicLong();

  LogContext(FsyncPolicy policy, boolean readOnly) {
    this.policy = policy;
    this.readOnly = readOnly;
  }

  /** Whether the log was opened read-only: no file is created, truncated, written or forced. */
  boolean readOnly() {
    return readOnly;
  }

  /** Throws if the log is read-only (every write path calls it first). */
  void checkWritable() {
    if (readOnly) {
      throw new UnsupportedOperationException("the log was opened read-only (LogConfig.readOnly); open it without"
          + " readOnly to write");
    }
  }

  /** Whether acknowledgements wait for a force. */
  boolean syncOnAppend() {
    return policy instanceof FsyncPolicy.EveryAppend;
  }

  /** Whether the log ever forces (transactions, markers, metadata, seals). */
  boolean forces() {
    return !readOnly && !(policy instanceof FsyncPolicy.Os);
  }

  /** Throws if the log has failed or is closed. */
  void check() {
    LogFailedException f = failure;
    if (f != null) {
      throw new LogFailedException(f.getMessage(), f);
    }
    if (closed) {
      throw new IllegalStateException("the log is closed; open it again with Log.open");
    }
  }

  /** Stops the log for good after an I/O error on a durability path (never retry-and-hope). */
  LogFailedException fail(String what, Throwable cause) {
    LogFailedException f = new LogFailedException("log stopped (fail-stop) after an I/O error while " + what
        + ": durability of recent appends is unknown; close and reopen the directory to recover", cause);
    synchronized (this) {
      if (failure == null) {
        failure = f;
        LOGGER.log(Level.ERROR, f.getMessage(), cause);
      }
    }
    signal();
    return failure;
  }

  boolean failed() {
    return failure != null;
  }

  void markClosed() {
    closed = true;
    signal();
  }

  boolean isClosed() {
    return closed;
  }

  /** Wakes consumers waiting for data. Cheap when nobody waits (no lock on the append path). */
  void signal() {
    dataVersion++;
    if (waiters.get() > 0) {
      signalLock.lock();
      try {
        dataArrived.signalAll();
      } finally {
        signalLock.unlock();
      }
    }
  }

  long dataVersion() {
    return dataVersion;
  }

  /** Waits until {@link #signal()} is called after {@code seenVersion} was read, or the timeout passes. */
  void awaitData(long seenVersion, long timeoutNanos) throws InterruptedException {
    waiters.incrementAndGet();
    signalLock.lock();
    try {
      long left = timeoutNanos;
      while (dataVersion == seenVersion && left > 0 && !closed && failure == null) {
        left = dataArrived.awaitNanos(left);
      }
    } finally {
      signalLock.unlock();
      waiters.decrementAndGet();
    }
  }

  /** Forces a directory so that created, renamed or deleted entries survive power loss. */
  void fsyncDirectory(Path dir) {
    if (!forces()) {
      return;
    }
    try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
      ch.force(true);
      directoryForces.incrementAndGet();
    } catch (IOException e) {
      throw fail("forcing directory " + dir, e);
    }
  }

  static long nanos(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }
}
