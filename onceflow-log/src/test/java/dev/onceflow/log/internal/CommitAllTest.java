package dev.onceflow.log.internal;

import static dev.onceflow.log.TestSupport.readAll;
import static dev.onceflow.log.TestSupport.recs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.InvalidTxnStateException;
import dev.onceflow.log.Isolation;
import dev.onceflow.log.Log;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionalProducer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Log#commitPrepared(List)}: each transaction committed as by the single call, the fsyncs shared. */
class CommitAllTest {
  @TempDir Path dir;
  private final TopicPartition p0 = new TopicPartition("t", 0);
  private final TopicPartition p1 = new TopicPartition("t", 1);

  @Test
  void fourTransactionsOfTwoIdsOverTwoPartitionsCostOneCoordinatorForceAndOnePerPartition() {
    List<PreparedTransaction> tokens = new ArrayList<>();
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(2));
      LogImpl impl = (LogImpl) log;
      for (int id = 0; id < 2; id++) {
        TransactionalProducer tx = log.transactionalProducer("sink-" + id);
        tx.initTransactions();
        for (int n = 0; n < 2; n++) {
          tx.beginTransaction();
          tx.sendBatch(p0, recs("p0-" + id + "-" + n + "-", 2));
          tx.sendBatch(p1, recs("p1-" + id + "-" + n + "-", 3));
          tokens.add(tx.prepare());
        }
      }
      long coordinator = impl.coordinator().forceCount();
      long f0 = impl.partition(p0).forceCount();
      long f1 = impl.partition(p1).forceCount();

      assertEquals(List.of(CompletionResult.COMMITTED, CompletionResult.COMMITTED, CompletionResult.COMMITTED,
          CompletionResult.COMMITTED), log.commitPrepared(tokens));

      assertEquals(1, impl.coordinator().forceCount() - coordinator, "one fsync for the four decisions");
      assertEquals(1, impl.partition(p0).forceCount() - f0, "one fsync for the four markers of partition 0");
      assertEquals(1, impl.partition(p1).forceCount() - f1, "one fsync for the four markers of partition 1");
      assertEquals(20, readAll(log, Isolation.READ_COMMITTED, p0, p1).size());
      assertEquals(List.of(), log.preparedTransactions("sink-"));
      assertEquals(List.of(CompletionResult.ALREADY_COMMITTED, CompletionResult.ALREADY_COMMITTED),
          log.commitPrepared(tokens.subList(1, 3)), "idempotent, as commitPrepared(token)");
    }
    try (Log log = Log.open(dir)) {
      assertEquals(20, readAll(log, Isolation.READ_COMMITTED, p0, p1).size(), "durable: all four after reopen");
      assertEquals(CompletionResult.ALREADY_COMMITTED, log.commitPrepared(tokens.get(3)));
    }
  }

  @Test
  void anAbortedTokenFailsTheCallAfterCommittingTheOnesBeforeIt() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(2));
      TransactionalProducer tx = log.transactionalProducer("sink-0");
      tx.initTransactions();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("kept", 1));
      PreparedTransaction kept = tx.prepare();
      tx.beginTransaction();
      tx.sendBatch(p0, recs("dropped", 1));
      PreparedTransaction dropped = tx.prepare();
      log.abortPrepared(dropped);
      assertThrows(InvalidTxnStateException.class, () -> log.commitPrepared(List.of(kept, dropped)));
      assertEquals(1, readAll(log, Isolation.READ_COMMITTED, p0).size());
    }
  }
}
