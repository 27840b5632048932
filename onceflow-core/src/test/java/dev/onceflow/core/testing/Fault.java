package dev.onceflow.core.testing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Decides when an injected exception fires: on the calls numbered first, first+gap, ... (counted across subtasks and
 * attempts), at most {@code times} times, and only once {@code completedCheckpoints} reached {@code minCheckpoints}
 * (so recovery restores a real checkpoint, not only the empty start).
 */
public final class Fault {
  private final AtomicLong calls = new AtomicLong();
  private final AtomicInteger fired = new AtomicInteger();
  private final long first;
  private final long gap;
  private final int times;
  private final LongSupplier completedCheckpoints;
  private final long minCheckpoints;
  private volatile long next;

  public Fault(long first, long gap, int times, LongSupplier completedCheckpoints, long minCheckpoints) {
    this.first = first;
    this.gap = gap;
    this.times = times;
    this.completedCheckpoints = completedCheckpoints;
    this.minCheckpoints = minCheckpoints;
    this.next = first;
  }

  public static Fault never() {
    return new Fault(Long.MAX_VALUE, 1, 0, () -> 0, 0);
  }

  /** Counts one call; true if it must fail. */
  public boolean hit() {
    return hit(1);
  }

  /** Counts {@code n} calls at once; true if it must fail. */
  public boolean hit(long n) {
    long c = calls.addAndGet(n);
    if (c < next || fired.get() >= times || completedCheckpoints.getAsLong() < minCheckpoints) {
      return false;
    }
    synchronized (this) {
      if (c < next || fired.get() >= times) {
        return false;
      }
      next = c + gap;
      fired.incrementAndGet();
      return true;
    }
  }

  public void check(String where) {
    if (hit()) {
      throw new InjectedFault(where);
    }
  }

  public int fired() {
    return fired.get();
  }

  /** The exception a fault throws. */
  public static final class InjectedFault extends RuntimeException {
    public InjectedFault(String where) {
      super("injected fault in " + where);
    }
  }
}
