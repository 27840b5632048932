package dev.onceflow.core.runtime;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The input side of one subtask: one bounded FIFO channel per upstream subtask. Producers block when their channel is
 * full (backpressure); the consumer takes from any channel that is not blocked by barrier alignment.
 *
 * <p>One lock per gate is fine because elements are batches (hundreds of records): the lock is taken once per batch,
 * never per record.
 */
public final class InputGate {
  private static final long CANCEL_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
  private final ArrayDeque<StreamElement>[] channels;
  private final int capacity;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition notEmpty = lock.newCondition();
  private final Condition notFull = lock.newCondition();
  private int nextChannel;
  private int lastChannel = -1;
  /**
   * The consumer's blocked flags as of its latest poll (guarded by the lock). The consumer changes its flags only
   * between polls, on its own thread, and a poll takes this lock before it waits, so a producer holding the lock sees
   * the flags the consumer is waiting with: an element for a blocked channel cannot end that wait and need not wake
   * the consumer. While aligning a barrier that saves a futile wake-up per batch the blocked upstream still sends.
   */
  private boolean[] consumerBlocked;
  /** Nanoseconds producers waited on a full channel (backpressure); read by the job's meters. */
  java.util.concurrent.atomic.LongAdder blockedNanos = new java.util.concurrent.atomic.LongAdder();

  /** Creates a gate with {@code channelCount} channels of {@code capacity} elements each. */
  @SuppressWarnings("unchecked")
  public InputGate(int channelCount, int capacity) {
    this.channels = new ArrayDeque[channelCount];
    for (int i = 0; i < channelCount; i++) {
      channels[i] = new ArrayDeque<>(capacity);
    }
    this.capacity = capacity;
  }

  /** Number of channels. */
  public int channelCount() {
    return channels.length;
  }

  /** Appends to channel {@code channel}, waiting while it is full (backpressure) unless the attempt is cancelled. */
  void put(int channel, StreamElement element, CancelFlag cancel) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      ArrayDeque<StreamElement> q = channels[channel];
      if (q.size() >= capacity) {
        long start = System.nanoTime(); // only when blocking: the clock stays off the path of a free channel
        try {
          while (q.size() >= capacity) {
            cancel.check();
            notFull.awaitNanos(CANCEL_CHECK_NANOS);
          }
        } finally {
          blockedNanos.add(System.nanoTime() - start);
        }
      }
      q.addLast(element);
      if (consumerBlocked == null || !consumerBlocked[channel]) {
        notEmpty.signal();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Takes the next element from a channel that is not blocked, round-robin for fairness, waiting up to {@code
   * timeoutNanos}. Returns null on timeout; {@link #lastChannel()} tells which channel the element came from.
   */
  StreamElement poll(boolean[] blocked, long timeoutNanos, CancelFlag cancel) throws InterruptedException {
    lock.lockInterruptibly();
    try {
      consumerBlocked = blocked;
      long remaining = timeoutNanos;
      while (true) {
        int n = channels.length;
        for (int k = 0; k < n; k++) {
          int c = (nextChannel + k) % n;
          if (!blocked[c]) {
            ArrayDeque<StreamElement> q = channels[c];
            StreamElement e = q.pollFirst();
            if (e != null) {
              if (q.size() == capacity - 1) {
                notFull.signalAll();
              }
              nextChannel = (c + 1) % n;
              lastChannel = c;
              return e;
            }
          }
        }
        cancel.check();
        if (remaining <= 0) {
          return null;
        }
        long wait = Math.min(remaining, CANCEL_CHECK_NANOS);
        remaining -= wait - notEmpty.awaitNanos(wait);
      }
    } finally {
      lock.unlock();
    }
  }

  /** Waits without a limit; see {@link #poll}. */
  StreamElement take(boolean[] blocked, CancelFlag cancel) throws InterruptedException {
    StreamElement e;
    do {
      e = poll(blocked, TimeUnit.SECONDS.toNanos(1), cancel);
    } while (e == null);
    return e;
  }

  /** The channel of the element last returned by poll/take (consumer thread only). */
  int lastChannel() {
    return lastChannel;
  }
}
