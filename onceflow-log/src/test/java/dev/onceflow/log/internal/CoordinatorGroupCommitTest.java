package dev.onceflow.log.internal;

import static dev.onceflow.log.TestSupport.recs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.Log;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionalProducer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The coordinator file's fsync runs outside its monitor: an unforced entry (a transaction's first send to a partition)
 * never waits for another thread's fsync, and forced entries written during an fsync share the next one.
 */
class CoordinatorGroupCommitTest {
  private static final Duration DEADLINE = Duration.ofSeconds(10);
  @TempDir Path dir;

  @Test
  void aSendDoesNotWaitForAnotherIdsForceAndConcurrentPreparesShareOneForce() throws Exception {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      TopicPartition p0 = new TopicPartition("t", 0);
      Coordinator coordinator = ((LogImpl) log).coordinator();
      TransactionalProducer[] tx = new TransactionalProducer[4];
      for (int i = 0; i < tx.length; i++) {
        tx[i] = log.transactionalProducer("sink-" + i);
        tx[i].initTransactions();
        tx[i].beginTransaction();
        if (i > 0) {
          tx[i].sendBatch(p0, recs("r" + i + "-", 1));
        }
      }
      CountDownLatch inForce = new CountDownLatch(1);
      CountDownLatch release = new CountDownLatch(1);
      coordinator.beforeForceForTest = () -> {
        coordinator.beforeForceForTest = () -> { }; // only the first force is held
        inForce.countDown();
        await(release);
      };
      // producer 1's prepare holds a coordinator force (the hook stands in for a slow disk)
      CompletableFuture<PreparedTransaction> held = CompletableFuture.supplyAsync(tx[1]::prepare);
      assertTrue(inForce.await(DEADLINE.toSeconds(), TimeUnit.SECONDS));
      long forcesBefore = coordinator.forceCount();

      // a first send to a partition writes an unforced entry: it must not queue behind that fsync
      CompletableFuture<Long> send = CompletableFuture.supplyAsync(() -> tx[0].sendBatch(p0, recs("s", 1)));
      send.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);

      // two prepares arriving during the held fsync both wait for the force lock, then share one fsync
      CompletableFuture<PreparedTransaction> second = CompletableFuture.supplyAsync(tx[2]::prepare);
      CompletableFuture<PreparedTransaction> third = CompletableFuture.supplyAsync(tx[3]::prepare);
      long deadline = System.nanoTime() + DEADLINE.toNanos();
      while (coordinator.forceWaiters() < 2) {
        assertTrue(System.nanoTime() < deadline, "both prepares wait for the force lock");
        Thread.onSpinWait();
      }
      release.countDown();
      held.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      second.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      third.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      assertEquals(2, coordinator.forceCount() - forcesBefore,
          "the held fsync (counted after its hook) and one more that covers both prepares written meanwhile");
      assertEquals(3, log.preparedTransactions("sink-").size());
    }
  }

  @Test
  void abortingATransactionThatWroteNothingForcesNothing() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      Coordinator coordinator = ((LogImpl) log).coordinator();
      TransactionalProducer tx = log.transactionalProducer("sink-0");
      tx.initTransactions();
      tx.beginTransaction();
      long before = coordinator.forceCount();
      tx.abortTransaction(); // an idle sink's checkpoint: nothing to prepare, nothing to recover
      assertEquals(before, coordinator.forceCount());
      tx.beginTransaction();
      tx.sendBatch(new TopicPartition("t", 0), recs("x", 1));
      tx.abortTransaction();
      assertEquals(before + 1, coordinator.forceCount(), "a transaction with data forces its decision");
    }
    try (Log log = Log.open(dir)) {
      assertTrue(log.preparedTransactions("sink-").isEmpty());
      assertTrue(log.stats().transactions().isEmpty(), "nothing left open after reopen");
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("not released");
      }
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }
}
