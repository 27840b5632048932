package dev.onceflow.log.internal;

import static dev.onceflow.log.TestSupport.rec;
import static dev.onceflow.log.TestSupport.values;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.Isolation;
import dev.onceflow.log.Log;
import dev.onceflow.log.PreparedTransaction;
import dev.onceflow.log.ProducerFencedException;
import dev.onceflow.log.TestSupport;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionalProducer;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CoordinatorTest {
  @TempDir Path dir;
  final TopicPartition tp = new TopicPartition("t", 0);

  @Test
  void compactionKeepsProducerIdsEpochsPreparedTransactionsOutcomesAndGroupOffsets() {
    PreparedTransaction committed;
    PreparedTransaction pending;
    long pid;
    short epoch;
    long idempotentPid;
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      idempotentPid = log.idempotentProducer().producerId();
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      for (int i = 0; i < 20; i++) { // enough history to make the file worth compacting
        tx.beginTransaction();
        tx.send(tp, rec("c" + i));
        tx.commitTransaction();
      }
      tx.beginTransaction();
      tx.send(tp, rec("committed"));
      committed = tx.prepare();
      log.commitPrepared(committed);
      tx.beginTransaction();
      tx.send(tp, rec("pending"));
      tx.sendOffsetsToTransaction("g2", Map.of(tp, 99L));
      pending = tx.prepare();
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("g"))) {
        c.commitSync(Map.of(tp, 5L));
      }
      pid = tx.producerId();
      epoch = tx.epoch();
      Coordinator coordinator = ((LogImpl) log).coordinator();
      long before = coordinator.fileBytes();
      assertTrue(coordinator.compactNow());
      assertTrue(coordinator.fileBytes() < before, coordinator.fileBytes() + " >= " + before);
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("g"))) {
        c.commitSync(Map.of(tp, 6L)); // appends after compaction land in the new file
      }
    }
    try (Log log = Log.open(dir)) {
      assertEquals(6, log.committedOffset("g", tp).getAsLong());
      assertTrue(log.committedOffset("g2", tp).isEmpty());
      assertEquals(List.of(pending), log.preparedTransactions("tx"));
      assertEquals(CompletionResult.ALREADY_COMMITTED, log.commitPrepared(committed));
      assertEquals(idempotentPid + 2, log.idempotentProducer().producerId()); // pid counter kept
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      assertEquals(pid, tx.producerId());
      assertEquals(epoch + 1, tx.epoch());
      assertEquals(CompletionResult.COMMITTED, log.commitPrepared(pending));
      assertEquals(99, log.committedOffset("g2", tp).getAsLong());
      List<String> all = values(TestSupport.readAll(log, Isolation.READ_COMMITTED, tp));
      assertEquals(22, all.size());
      assertEquals("pending", all.get(21));
    }
  }

  @Test
  void aTornCoordinatorTailIsTruncatedAndEarlierStateKept() throws Exception {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted().withGroupId("g"))) {
        c.commitSync(Map.of(tp, 3L));
      }
    }
    Path file = dir.resolve("meta").resolve(Coordinator.FILE);
    long size = Files.size(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(size);
      raf.write(new byte[] {0, 0, 0, 40, 1, 2, 3}); // a torn entry
    }
    try (Log log = Log.open(dir)) {
      assertEquals(3, log.committedOffset("g", tp).getAsLong());
      assertEquals(size, Files.size(file));
    }
  }

  @Test
  void fencingSurvivesReopen() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      TransactionalProducer first = log.transactionalProducer("tx");
      first.initTransactions();
      TransactionalProducer second = log.transactionalProducer("tx");
      second.initTransactions();
      org.junit.jupiter.api.Assertions.assertThrows(ProducerFencedException.class, first::beginTransaction);
    }
    try (Log log = Log.open(dir)) {
      TransactionalProducer third = log.transactionalProducer("tx");
      third.initTransactions();
      assertEquals(2, third.epoch());
    }
  }
}
