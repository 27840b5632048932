package dev.onceflow.log.internal;

import static dev.onceflow.log.TestSupport.readAll;
import static dev.onceflow.log.TestSupport.recs;
import static dev.onceflow.log.TestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.InvalidTxnStateException;
import dev.onceflow.log.Isolation;
import dev.onceflow.log.Log;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.PreparingTransaction;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionalProducer;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TransactionalProducer#prepareDeferred()}: the writer's thread seals a transaction without any fsync and goes
 * on with the next one; {@link PreparingTransaction#complete()} forces it and records PREPARED; until then it is
 * aborted like an ONGOING one by fencing and by recovery.
 */
class DeferredPrepareTest {
  @TempDir Path dir;
  private final TopicPartition p0 = new TopicPartition("t", 0);
  private final TopicPartition p1 = new TopicPartition("t", 1);

  @Test
  void sealingForcesNothingAndTheNextTransactionMayBeginAtOnce() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(2));
      LogImpl impl = (LogImpl) log;
      TransactionalProducer tx = log.transactionalProducer("sink-0");
      tx.initTransactions();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("a", 3));
      tx.sendBatch(p1, recs("b", 2));
      long partitionForces = impl.partition(p0).forceCount() + impl.partition(p1).forceCount();
      long coordinatorForces = impl.coordinator().forceCount();

      PreparingTransaction preparing = tx.prepareDeferred();
      tx.beginTransaction(); // the next transaction, while the first is still being prepared
      tx.sendBatch(p0, recs("c", 1));

      assertEquals(partitionForces, impl.partition(p0).forceCount() + impl.partition(p1).forceCount(),
          "sealing and the next transaction's send forced no partition");
      assertEquals(coordinatorForces, impl.coordinator().forceCount(), "sealing forced no coordinator entry");
      assertTrue(log.preparedTransactions("sink-").isEmpty(), "not prepared before complete()");

      PreparedTransaction token = preparing.complete();
      assertSame(token, preparing.complete(), "idempotent");
      assertEquals(List.of(token), log.preparedTransactions("sink-"));
      assertTrue(impl.partition(p0).forceCount() + impl.partition(p1).forceCount() > partitionForces,
          "complete() forced the data");
      assertTrue(readAll(log, Isolation.READ_COMMITTED, p0, p1).isEmpty(), "prepared is still invisible");

      assertEquals(CompletionResult.COMMITTED, log.commitPrepared(token));
      assertEquals(List.of("a0", "a1", "a2", "b0", "b1"), values(readAll(log, Isolation.READ_COMMITTED, p0, p1)),
          "the first transaction only: the second is still ongoing");
      tx.prepare();
      tx.commitTransaction();
      assertEquals(6, readAll(log, Isolation.READ_COMMITTED, p0, p1).size());
    }
  }

  @Test
  void aSealedTransactionThatWasNeverCompletedIsAbortedOnReopenAndACompletedOneStaysPrepared() {
    PreparedTransaction token;
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      TransactionalProducer tx = log.transactionalProducer("sink-0");
      tx.initTransactions();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("done", 2));
      token = tx.prepareDeferred().complete();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("sealed", 2));
      tx.prepareDeferred(); // never completed: the process "crashes" (closes) first
    }
    try (Log log = Log.open(dir)) {
      assertEquals(List.of(token), log.preparedTransactions("sink-"), "only the completed one is prepared");
      assertEquals(CompletionResult.COMMITTED, log.commitPrepared(token));
      assertEquals(List.of("done0", "done1"), values(readAll(log, Isolation.READ_COMMITTED, p0)));
    }
  }

  @Test
  void aNewerInstanceAbortsASealedTransactionAndItsCompletionThenFails() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      TransactionalProducer zombie = log.transactionalProducer("sink-0");
      zombie.initTransactions();
      zombie.beginTransaction();
      zombie.sendBatch(p0, recs("zombie", 2));
      PreparingTransaction preparing = zombie.prepareDeferred();

      TransactionalProducer next = log.transactionalProducer("sink-0");
      next.initTransactions(); // fences the zombie and aborts what it had not prepared yet
      InvalidTxnStateException e = assertThrows(InvalidTxnStateException.class, preparing::complete);
      assertTrue(e.getMessage().contains("aborted before its preparation finished"), e.getMessage());
      assertTrue(log.preparedTransactions("sink-").isEmpty());

      next.beginTransaction();
      next.sendBatch(p0, recs("next", 1));
      next.commitTransaction();
      assertEquals(List.of("next0"), values(readAll(log, Isolation.READ_COMMITTED, p0)),
          "the zombie's records are discarded, and they no longer hold back the last stable offset");
    }
  }

  @Test
  void aSealedTransactionAcceptsNoMoreSends() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      TransactionalProducer tx = log.transactionalProducer("sink-0");
      tx.initTransactions();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("a", 1));
      tx.prepareDeferred();
      assertThrows(InvalidTxnStateException.class, () -> tx.sendBatch(p0, recs("late", 1)));
      assertThrows(InvalidTxnStateException.class, tx::prepareDeferred);
    }
  }
}
