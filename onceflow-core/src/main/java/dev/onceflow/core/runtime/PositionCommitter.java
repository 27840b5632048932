package dev.onceflow.core.runtime;

import dev.onceflow.core.checkpoint.PositionStore;
import java.util.concurrent.TimeUnit;

/**
 * Writes one source subtask's at-most-once reservations into its {@link PositionStore} on a thread of its own, so the
 * subtask's thread never waits for an fsync while it has durable records to process (see {@link SourceTask}).
 *
 * <p>Requests are numbered (tickets, from 1). At most one write runs at a time; a request made while one runs waits,
 * and a newer request replaces a waiting one (it covers at least as much), so a burst of requests costs one more
 * fsync, not one each. {@link #durable()} is the ticket whose fsync returned last: every request up to it is durable
 * (a replaced one through the one that replaced it). The store is written by this thread only, in ticket order.
 *
 * <p>A write that fails fails every later call from the subtask (the attempt fails; nothing after the last durable
 * ticket may be processed). The thread is never interrupted (an interrupt closes a {@code FileChannel}); {@link
 * #close()} lets a running write finish and drops a waiting one, which was never durable and covers nothing
 * processed.
 */
final class PositionCommitter implements AutoCloseable {
  /**
   * Called on the committer thread after a request's fsync returned and before it is published as durable; tests
   * hold it to keep a reservation from becoming durable.
   */
  interface SyncListener {
    void synced(long ticket, PositionStore.Committed committed) throws Exception;
  }

  /** How long a waiting subtask sleeps between checks of its cancellation flag. */
  private static final long CANCEL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(20);

  private final PositionStore store;
  private final String name;
  private final SyncListener listener;
  private final Object lock = new Object();
  private Thread thread;
  private Request waiting;
  private long requested;
  private volatile long durable;
  private volatile PositionStore.Committed durableCommit;
  private volatile Throwable failure;
  private boolean closed;

  private record Request(long ticket, PositionStore.Committed commit) {}

  PositionCommitter(PositionStore store, String name, SyncListener listener) {
    this.store = store;
    this.name = name;
    this.listener = listener;
  }

  /** Queues a durable commit of {@code c}; returns its ticket. Does not wait. */
  long request(PositionStore.Committed c) throws Exception {
    rethrow();
    synchronized (lock) {
      if (closed) {
        throw new IllegalStateException("position committer " + name + " is closed");
      }
      long ticket = ++requested;
      waiting = new Request(ticket, c);
      if (thread == null) {
        thread = new Thread(this::run, "onceflow-" + name + "-positions");
        thread.setDaemon(true);
        thread.start();
      }
      lock.notifyAll();
      return ticket;
    }
  }

  /** The last ticket made durable (0: none yet). */
  long durable() {
    return durable;
  }

  /** The newest ticket requested (0: none yet); equal to {@link #durable()} when no write is outstanding. */
  long requested() {
    synchronized (lock) {
      return requested;
    }
  }

  /** What the last durable ticket committed; null before the first. */
  PositionStore.Committed durableCommit() {
    return durableCommit;
  }

  /** Throws the write failure, if any (the attempt must fail). */
  void rethrow() throws Exception {
    Throwable t = failure;
    if (t != null) {
      throw new IllegalStateException("committing the at-most-once position of " + name + " failed", t);
    }
  }

  /**
   * Waits until {@code ticket} is durable, or {@code wakeUp} returns true (a checkpoint barrier to inject), or the
   * attempt is cancelled ({@link TaskCancelledException}). Returns whether the ticket is durable.
   */
  boolean awaitDurable(long ticket, CancelFlag cancel, java.util.function.BooleanSupplier wakeUp) throws Exception {
    synchronized (lock) {
      while (durable < ticket) {
        rethrow();
        cancel.check();
        if (wakeUp.getAsBoolean()) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(lock, CANCEL_CHECK_NANOS);
      }
    }
    return true;
  }

  /** Wakes a subtask waiting in {@link #awaitDurable} so it re-checks its wake-up condition. */
  void wakeUp() {
    synchronized (lock) {
      lock.notifyAll();
    }
  }

  private void run() {
    while (true) {
      Request r;
      synchronized (lock) {
        while (waiting == null && !closed) {
          try {
            lock.wait();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
          }
        }
        if (closed) {
          return;
        }
        r = waiting;
        waiting = null;
      }
      try {
        PositionStore.Committed c = r.commit();
        store.commit(c.position(), c.endOfInput(), c.watermark(), c.idle());
        if (listener != null) {
          listener.synced(r.ticket(), c);
        }
      } catch (Throwable t) {
        failure = t;
        synchronized (lock) {
          lock.notifyAll();
        }
        return;
      }
      synchronized (lock) {
        durableCommit = r.commit();
        durable = r.ticket();
        lock.notifyAll();
      }
    }
  }

  /** Stops the thread after the write in progress (if any); a waiting request is dropped. */
  @Override
  public void close() throws InterruptedException {
    Thread t;
    synchronized (lock) {
      closed = true;
      lock.notifyAll();
      t = thread;
    }
    if (t != null) {
      t.join();
    }
  }
}
