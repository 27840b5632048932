package dev.onceflow.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.checkpoint.CheckpointCoordinator;
import dev.onceflow.core.checkpoint.PositionStore;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.Source;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AT_MOST_ONCE reservations of one source subtask (real position files, real fsync), with the committer's fsyncs held
 * by the test: a record is processed only once a durable commit covers it, a watermark is emitted only once a durable
 * commit holds it, the read-ahead stays within its bound, and the records a durable reservation covers are processed
 * while the next reservation is still being written (processing does not wait for every fsync).
 */
class SourceTaskReservationTest {
  private static final Transformation.WatermarkSpec MONOTONOUS = new Transformation.WatermarkSpec(0, 0);
  private static final int BATCH = 64;
  private static final int READ_AHEAD = 1024;

  @TempDir Path tmp;
  private final ExecutorService io = Executors.newSingleThreadExecutor();
  private final List<Thread> threads = new ArrayList<>();
  private final CancelFlag cancel = new CancelFlag();
  private final List<CountDownLatch> gates = new ArrayList<>();
  private final List<CheckpointCoordinator> coordinators = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    cancel.cancel();
    gates.forEach(CountDownLatch::countDown);
    for (Thread t : threads) {
      t.join(10_000);
    }
    // the coordinator completes checkpoints on its own thread: stop it before the temporary directory is deleted
    coordinators.forEach(CheckpointCoordinator::shutdown);
    io.shutdownNow();
    assertTrue(io.awaitTermination(10, TimeUnit.SECONDS), "checkpoint I/O did not stop");
  }

  /** What the committer made durable, as the test's fsync hook saw it; the hook may hold a ticket's publication. */
  static final class Durability implements PositionCommitter.SyncListener {
    final AtomicLong durableIndex = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong durableWatermark = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong heldTicket = new AtomicLong();
    volatile long holdTicket;
    volatile CountDownLatch hold = new CountDownLatch(0);

    @Override
    public void synced(long ticket, PositionStore.Committed c) throws Exception {
      if (ticket == holdTicket) {
        heldTicket.set(ticket);
        hold.await(); // published to the subtask only after the test lets go
      }
      // the subtask may take it as durable from here on
      durableIndex.accumulateAndGet(ByteBuffer.wrap(c.position()).getLong(), Math::max);
      durableWatermark.accumulateAndGet(c.watermark(), Math::max);
    }
  }

  /** Checks every record and watermark against what was durable when it reached the chain. */
  static final class Checker extends ChainOp {
    final Durability durability;
    final List<Long> processed = Collections.synchronizedList(new ArrayList<>());
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    volatile boolean endInput;

    Checker(Durability durability) {
      this.durability = durability;
    }

    @Override
    void accept(Object record, Object key, long timestamp) {
      long i = (Long) record;
      if (i >= durability.durableIndex.get()) {
        violations.add("record " + i + " processed with durable position " + durability.durableIndex.get());
      }
      processed.add(i);
    }

    @Override
    void watermark(long watermark) {
      if (watermark > durability.durableWatermark.get()) {
        violations.add("watermark " + watermark + " emitted with durable watermark "
            + durability.durableWatermark.get());
      }
    }

    @Override
    void endInput() {
      endInput = true;
    }

    @Override
    void barrier(CheckpointBarrier barrier, Map<String, Callable<byte[]>> sections) {}

    @Override
    void endOfBatch() {}

    @Override
    void flushIdle() {}

    @Override
    void close(boolean failed) {}
  }

  private Checker start(long n, AtomicLong highestRead, Durability durability) throws Exception {
    Checker head = new Checker(durability);
    TaskContext ctx = new TaskContext("reservation-test", 0, 1, 128, Guarantee.AT_MOST_ONCE, BATCH, cancel);
    AttemptServices services = new AttemptServices(io, null, cancel);
    AtomicReference<SourceTask> task = new AtomicReference<>();
    CheckpointCoordinator coordinator = SourceTaskHarness.coordinator(tmp.resolve("ckpt"), "reservation-test", Guarantee.AT_MOST_ONCE, task);
    services.coordinator = coordinator;
    coordinators.add(coordinator);
    @SuppressWarnings("unchecked")
    Source<Object> source = (Source<Object>) (Source<?>) GeneratorSource.of(n, i -> {
      highestRead.accumulateAndGet(i, Math::max);
      return i;
    }).withTimestamps(i -> i);
    PositionStore positions = new PositionStore(tmp.resolve("positions"), "source-0");
    // the clock stands still: reservations are requested by count (an eighth of the read-ahead) or when it is full
    task.set(new SourceTask("0-0", source, head, ctx, services, Map.of(), positions, MONOTONOUS, false, 0,
        new AtomicLong(), new AtomicLong(), () -> 0L, new SourceTask.Reservation(READ_AHEAD, 1, durability)));
    Thread t = new Thread(task.get(), "source-task-reservation-test");
    t.setDaemon(true);
    threads.add(t);
    t.start();
    return head;
  }

  private static void await(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within 10 s: " + what);
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // re-check the condition
    }
  }

  private CountDownLatch hold(Durability d, long ticket) {
    CountDownLatch latch = new CountDownLatch(1);
    gates.add(latch);
    d.hold = latch;
    d.holdTicket = ticket;
    return latch;
  }

  /**
   * The first reservation's fsync is held: the subtask reads ahead up to its bound and processes nothing; once the
   * reservation is durable everything follows, each record once, in order, none before a durable commit covered it.
   */
  @Test
  void nothingIsProcessedBeforeAReservationCoversIt() throws Exception {
    Durability durability = new Durability();
    CountDownLatch first = hold(durability, 1);
    AtomicLong highestRead = new AtomicLong(-1);
    long n = 20_000;
    Checker head = start(n, highestRead, durability);

    await(() -> durability.heldTicket.get() == 1 && highestRead.get() >= READ_AHEAD - 1,
        "the first reservation held and the read-ahead full");
    // the subtask processes one batch per batch read: had it processed without a durable reservation, records
    // would be processed by now
    assertEquals(List.of(), head.processed, "records processed while no reservation was durable");
    assertTrue(highestRead.get() < READ_AHEAD, "read " + (highestRead.get() + 1) + " records ahead, bound "
        + READ_AHEAD);

    first.countDown();
    await(() -> head.endInput, "end of input");
    assertEquals(List.of(), head.violations);
    List<Long> processed;
    synchronized (head.processed) {
      processed = new ArrayList<>(head.processed);
    }
    assertEquals(n, processed.size(), "every record processed once");
    for (int i = 0; i < n; i++) {
      assertEquals(i, processed.get(i), "record at " + i);
    }
  }

  /**
   * Pipelined: while the second reservation's fsync is held, the records the first one covers are processed; the
   * subtask waits only when nothing durable is left (at the first one's end), never past it.
   */
  @Test
  void recordsOfADurableReservationAreProcessedWhileTheNextIsWritten() throws Exception {
    Durability durability = new Durability();
    CountDownLatch second = hold(durability, 2);
    AtomicLong highestRead = new AtomicLong(-1);
    Checker head = start(20_000, highestRead, durability);

    await(() -> durability.heldTicket.get() == 2, "the second reservation requested and held");
    long coveredByFirst = durability.durableIndex.get();
    assertTrue(coveredByFirst >= BATCH, "the first reservation covers a batch at least: " + coveredByFirst);
    await(() -> head.processed.size() >= coveredByFirst,
        "every record the first reservation covers processed while the second is held");
    assertEquals(coveredByFirst, head.processed.size(), "processed past the durable reservation");
    assertEquals(List.of(), head.violations);
    second.countDown();
    await(() -> head.endInput, "end of input");
    assertEquals(List.of(), head.violations);
    assertEquals(20_000, head.processed.size());
  }
}
