package dev.onceflow.log;

import static dev.onceflow.log.TestSupport.readAll;
import static dev.onceflow.log.TestSupport.rec;
import static dev.onceflow.log.TestSupport.recs;
import static dev.onceflow.log.TestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TransactionTest {
  @TempDir Path dir;
  final TopicPartition p0 = new TopicPartition("t", 0);
  final TopicPartition p1 = new TopicPartition("t", 1);

  @BeforeEach
  void createTopic() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(2));
    }
  }

  @Test
  void committedDataIsVisibleReadCommittedAndAbortedDataNever() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("c", 2));
      tx.send(p1, rec("c2"));
      tx.commitTransaction();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("a", 2));
      tx.send(p1, rec("a2"));
      tx.abortTransaction();
      log.producer().send(p0, rec("plain"));
      assertEquals(List.of("c0", "c1", "plain"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
      assertEquals(List.of("c2"), values(readAll(log, Isolation.READ_COMMITTED, p1)));
      // read-uncommitted sees aborted data but never markers
      assertEquals(List.of("c0", "c1", "a0", "a1", "plain"), values(readAll(log, Isolation.READ_UNCOMMITTED, p0)));
      assertEquals(log.endOffset(p0), log.lastStableOffset(p0));
    }
    try (Log log = Log.open(dir)) { // the aborted index is rebuilt on open
      assertEquals(List.of("c0", "c1", "plain"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
    }
  }

  @Test
  void anOpenTransactionHoldsBackTheLastStableOffset() {
    try (Log log = Log.open(dir)) {
      log.producer().send(p0, rec("before"));
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      tx.beginTransaction();
      long first = tx.send(p0, rec("open"));
      log.producer().send(p0, rec("after"));
      assertEquals(first, log.lastStableOffset(p0));
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
        c.assign(List.of(p0));
        assertEquals(List.of("before"), values(c.poll(100)));
        assertFalse(c.atEnd(p0));
        tx.commitTransaction();
        assertEquals(List.of("open", "after"), values(c.poll(100)));
        assertTrue(c.atEnd(p0));
      }
    }
  }

  @Test
  void aSecondInstanceFencesTheZombieAndAbortsItsOngoingTransaction() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer zombie = log.transactionalProducer("tx");
      zombie.initTransactions();
      zombie.beginTransaction();
      zombie.send(p0, rec("zombie"));
      TransactionalProducer fresh = log.transactionalProducer("tx");
      fresh.initTransactions();
      assertEquals(zombie.producerId(), fresh.producerId());
      assertTrue(fresh.epoch() > zombie.epoch());
      assertThrows(ProducerFencedException.class, () -> zombie.send(p0, rec("late")));
      assertThrows(ProducerFencedException.class, zombie::commitTransaction);
      assertThrows(ProducerFencedException.class, zombie::beginTransaction);
      fresh.beginTransaction();
      fresh.send(p0, rec("fresh"));
      fresh.commitTransaction();
      assertEquals(List.of("fresh"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
      assertEquals(log.endOffset(p0), log.lastStableOffset(p0));
    }
  }

  @Test
  void preparedTransactionSurvivesReopenAndCommitPreparedMakesItVisible() {
    PreparedTransaction token;
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("sink-1");
      tx.initTransactions();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("x", 3));
      tx.send(p1, rec("y"));
      token = tx.prepare();
      assertEquals(Set.of(p0, p1), token.partitions());
    }
    byte[] stored = token.toBytes();
    try (Log log = Log.open(dir)) {
      assertEquals(0, log.lastStableOffset(p0));
      assertTrue(readAll(log, Isolation.READ_COMMITTED, p0).isEmpty());
      assertEquals(List.of(token), log.preparedTransactions("sink-"));
      assertTrue(log.preparedTransactions("other").isEmpty());
      // a new instance fences the old one but leaves the prepared transaction alone
      TransactionalProducer again = log.transactionalProducer("sink-1");
      again.initTransactions();
      assertEquals(List.of(token), log.preparedTransactions("sink-")); // same token, though the epoch moved on
      PreparedTransaction restored = PreparedTransaction.fromBytes(stored);
      assertEquals(CompletionResult.COMMITTED, log.commitPrepared(restored));
      assertEquals(CompletionResult.ALREADY_COMMITTED, log.commitPrepared(restored));
      assertThrows(InvalidTxnStateException.class, () -> log.abortPrepared(restored));
      assertEquals(List.of("x0", "x1", "x2"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
      assertEquals(List.of("y"), values(readAll(log, Isolation.READ_COMMITTED, p1)));
      assertTrue(log.preparedTransactions("").isEmpty());
    }
    try (Log log = Log.open(dir)) {
      assertEquals(CompletionResult.ALREADY_COMMITTED, log.commitPrepared(token));
      assertEquals(List.of("x0", "x1", "x2"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
    }
  }

  @Test
  void abortPreparedDiscardsAndIsIdempotent() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      tx.beginTransaction();
      tx.send(p0, rec("gone"));
      PreparedTransaction token = tx.prepare();
      assertEquals(CompletionResult.ABORTED, log.abortPrepared(token));
      assertEquals(CompletionResult.ALREADY_ABORTED, log.abortPrepared(token));
      assertThrows(InvalidTxnStateException.class, () -> log.commitPrepared(token));
      assertThrows(InvalidTxnStateException.class, tx::commitTransaction);
      assertTrue(readAll(log, Isolation.READ_COMMITTED, p0).isEmpty());
    }
  }

  @Test
  void aTokenNeverAppliesToALaterTransactionOfTheSameId() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      tx.beginTransaction();
      tx.send(p0, rec("first"));
      PreparedTransaction first = tx.prepare();
      tx.commitTransaction();
      tx.beginTransaction();
      tx.send(p0, rec("second"));
      PreparedTransaction second = tx.prepare();
      assertEquals(CompletionResult.ALREADY_COMMITTED, log.commitPrepared(first));
      assertEquals(List.of(second), log.preparedTransactions("tx"));
      assertEquals(List.of("first"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
    }
  }

  @Test
  void aNewTransactionCanRunWhileThePreviousIsPreparedAndTheLsoStaysCorrect() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("sink");
      tx.initTransactions();
      tx.beginTransaction();
      long a = tx.send(p0, rec("epoch1"));
      PreparedTransaction t1 = tx.prepare();
      tx.beginTransaction();
      tx.send(p0, rec("epoch2"));
      tx.send(p1, rec("epoch2-p1"));
      assertEquals(a, log.lastStableOffset(p0));
      PreparedTransaction t2 = tx.prepare(); // two prepared at once
      tx.beginTransaction();
      tx.send(p0, rec("epoch3"));
      assertEquals(List.of(t1, t2), log.preparedTransactions("sink"));
      assertEquals(CompletionResult.COMMITTED, log.commitPrepared(t1));
      assertEquals(List.of("epoch1"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
      assertEquals(CompletionResult.ABORTED, log.abortPrepared(t2));
      assertTrue(readAll(log, Isolation.READ_COMMITTED, p1).isEmpty());
      tx.commitTransaction();
      assertEquals(List.of("epoch1", "epoch3"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
      assertEquals(log.endOffset(p0), log.lastStableOffset(p0));
      assertEquals(log.endOffset(p1), log.lastStableOffset(p1));
    }
    try (Log log = Log.open(dir)) {
      assertEquals(List.of("epoch1", "epoch3"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
      assertTrue(readAll(log, Isolation.READ_COMMITTED, p1).isEmpty());
    }
  }

  @Test
  void reopenAbortsOngoingButKeepsPrepared() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer a = log.transactionalProducer("a");
      a.initTransactions();
      a.beginTransaction();
      a.send(p0, rec("ongoing"));
      TransactionalProducer b = log.transactionalProducer("b");
      b.initTransactions();
      b.beginTransaction();
      b.send(p0, rec("prepared"));
      b.prepare();
      log.producer().send(p0, rec("plain"));
    }
    try (Log log = Log.open(dir)) {
      assertEquals(1, log.preparedTransactions("").size());
      assertEquals(1, log.stats().transactions().size());
      assertEquals(TransactionState.PREPARED, log.stats().transactions().get(0).state());
      assertEquals(1, log.lastStableOffset(p0)); // held by the prepared one at offset 1
      log.commitPrepared(log.preparedTransactions("b").get(0));
      assertEquals(List.of("prepared", "plain"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
    }
  }

  @Test
  void groupOffsetsOfATransactionBecomeVisibleOnlyOnCommit() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      tx.beginTransaction();
      tx.send(p1, rec("out"));
      tx.sendOffsetsToTransaction("g", Map.of(p0, 7L));
      assertTrue(log.committedOffset("g", p0).isEmpty());
      tx.commitTransaction();
      assertEquals(7, log.committedOffset("g", p0).getAsLong());
      tx.beginTransaction();
      tx.sendOffsetsToTransaction("g", Map.of(p0, 9L));
      tx.abortTransaction();
      assertEquals(7, log.committedOffset("g", p0).getAsLong());
      tx.beginTransaction();
      tx.sendOffsetsToTransaction("g", Map.of(p0, 11L));
      PreparedTransaction t = tx.prepare();
      assertEquals(7, log.committedOffset("g", p0).getAsLong());
      log.commitPrepared(t);
      assertEquals(11, log.committedOffset("g", p0).getAsLong());
    }
    try (Log log = Log.open(dir)) {
      assertEquals(11, log.committedOffset("g", p0).getAsLong());
    }
  }

  @Test
  void anOngoingTransactionIsAbortedAfterItsTimeoutButAPreparedOneIsNot() {
    LogConfig fast = LogConfig.builder().maintenanceInterval(Duration.ofMillis(5)).build();
    try (Log log = Log.open(dir, fast)) {
      TransactionalProducer prepared = log.transactionalProducer("p", new TransactionConfig(Duration.ofMillis(20)));
      prepared.initTransactions();
      prepared.beginTransaction();
      prepared.send(p1, rec("kept"));
      prepared.prepare();
      TransactionalProducer slow = log.transactionalProducer("s", new TransactionConfig(Duration.ofMillis(20)));
      slow.initTransactions();
      slow.beginTransaction();
      slow.send(p0, rec("slow"));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (log.stats().transactions().stream().anyMatch(t -> t.transactionalId().equals("s"))
          && System.nanoTime() < deadline) {
        LockSupport.parkNanos(1_000_000); // waiting for the maintenance thread's abort (a condition, not a delay)
      }
      assertEquals(2, log.endOffset(p0)); // data + abort marker
      assertEquals(log.endOffset(p0), log.lastStableOffset(p0));
      assertThrows(InvalidTxnStateException.class, slow::commitTransaction);
      slow.abortTransaction();
      assertTrue(readAll(log, Isolation.READ_COMMITTED, p0).isEmpty());
      assertEquals(1, log.preparedTransactions("p").size());
      assertEquals(0, log.lastStableOffset(p1));
    }
  }

  @Test
  void callsOutOfOrderAreRejectedWithInvalidTxnState() {
    try (Log log = Log.open(dir)) {
      TransactionalProducer tx = log.transactionalProducer("tx");
      assertThrows(InvalidTxnStateException.class, tx::beginTransaction);
      tx.initTransactions();
      assertThrows(InvalidTxnStateException.class, () -> tx.send(p0, rec("x")));
      assertThrows(InvalidTxnStateException.class, tx::commitTransaction);
      tx.beginTransaction();
      assertThrows(InvalidTxnStateException.class, tx::beginTransaction);
    }
  }
}
