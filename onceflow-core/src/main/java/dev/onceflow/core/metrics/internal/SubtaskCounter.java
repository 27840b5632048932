package dev.onceflow.core.metrics.internal;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * A count written by one subtask thread at a time and read by any thread. Opaque writes (a plain store on x86, no
 * fence) keep the per-record cost of a sink's count at a field increment while a scrape still sees it without tearing.
 */
public final class SubtaskCounter {
  private static final VarHandle COUNT;

  static {
    try {
      COUNT = MethodHandles.lookup().findVarHandle(SubtaskCounter.class, "count", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @SuppressWarnings("unused") // accessed through COUNT
  private long count;

  /** Adds {@code n}; the owning subtask thread only. */
  public void add(long n) {
    COUNT.setOpaque(this, (long) COUNT.getOpaque(this) + n);
  }

  /** Adds one; the owning subtask thread only. */
  public void increment() {
    COUNT.setOpaque(this, (long) COUNT.getOpaque(this) + 1);
  }

  /** The count; any thread. */
  public long get() {
    return (long) COUNT.getOpaque(this);
  }
}
