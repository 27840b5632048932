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

  // ---- defect 7: corruption in the middle of the coordinator file ----

  private Path coordinatorFile() {
    return dir.resolve("meta").resolve(Coordinator.FILE);
  }

  /** A prepared transaction, an idempotent producer and group commits: 9 or more entries. */
  private PreparedTransaction someState() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      log.idempotentProducer().send(tp, rec("a"));
      TransactionalProducer tx = log.transactionalProducer("tx");
      tx.initTransactions();
      tx.beginTransaction();
      tx.send(tp, rec("prepared"));
      PreparedTransaction token = tx.prepare();
      for (int i = 1; i <= 5; i++) {
        log.commitOffsets("g", Map.of(tp, (long) i));
      }
      return token;
    }
  }

  @Test
  void aFlippedBitInTheFirstEntryIsCorruptionNotATornTail() throws Exception {
    PreparedTransaction token = someState();
    Path file = coordinatorFile();
    long size = Files.size(file);
    TornWriteTest.flip(file, Coordinator.HEADER_BYTES + 8); // the first entry's payload
    dev.onceflow.log.CorruptLogException e =
        org.junit.jupiter.api.Assertions.assertThrows(dev.onceflow.log.CorruptLogException.class, () -> Log.open(dir));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("byte position " + Coordinator.HEADER_BYTES + " (entry 0)"), e.getMessage());
    assertEquals(size, Files.size(file), "acknowledged entries were truncated");
    // repaired (the flip undone), everything is still there: nothing was lost by the refusal
    TornWriteTest.flip(file, Coordinator.HEADER_BYTES + 8);
    try (Log log = Log.open(dir)) {
      assertEquals(List.of(token), log.preparedTransactions("tx"));
      assertEquals(5, log.committedOffset("g", tp).getAsLong());
      assertEquals(CompletionResult.COMMITTED, log.commitPrepared(token));
    }
  }

  @Test
  void aCorruptEntryInTheMiddleRefusesToOpen() throws Exception {
    someState();
    Path file = coordinatorFile();
    long size = Files.size(file);
    TornWriteTest.flip(file, size / 2);
    org.junit.jupiter.api.Assertions.assertThrows(dev.onceflow.log.CorruptLogException.class, () -> Log.open(dir));
    assertEquals(size, Files.size(file));
  }

  @Test
  void anUnknownFormatVersionIsRefusedAndNothingChanged() throws Exception {
    someState();
    Path file = coordinatorFile();
    byte[] before = Files.readAllBytes(file);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.seek(4);
      raf.write(9);
    }
    dev.onceflow.log.UnsupportedLogFormatException e = org.junit.jupiter.api.Assertions.assertThrows(
        dev.onceflow.log.UnsupportedLogFormatException.class, () -> Log.open(dir));
    assertTrue(e.getMessage().contains("format version 9"), e.getMessage());
    before[4] = 9;
    org.junit.jupiter.api.Assertions.assertArrayEquals(before, Files.readAllBytes(file));
  }

  @Test
  void aHeaderlessRoundOneFileIsReadAndCompactionWritesTheHeader() throws Exception {
    PreparedTransaction token = someState();
    Path file = coordinatorFile();
    byte[] all = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOfRange(all, Coordinator.HEADER_BYTES, all.length)); // version 0
    try (Log log = Log.open(dir)) {
      assertEquals(List.of(token), log.preparedTransactions("tx"));
      assertEquals(5, log.committedOffset("g", tp).getAsLong());
      assertTrue(((LogImpl) log).coordinator().compactNow());
    }
    assertEquals(Coordinator.MAGIC, java.nio.ByteBuffer.wrap(Files.readAllBytes(file)).getInt(0));
    try (Log log = Log.open(dir)) {
      assertEquals(5, log.committedOffset("g", tp).getAsLong());
    }
  }

  // ---- audit: a group commit racing compaction ----

  @Test
  void aGroupCommitIsNotDroppedByACompactionBetweenItsAppendAndItsUpdate() throws Exception {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      Coordinator coordinator = ((LogImpl) log).coordinator();
      Thread[] compactor = new Thread[1];
      coordinator.afterGroupAppendForTest = () -> {
        compactor[0] = new Thread(coordinator::compactNow, "compactor");
        compactor[0].start();
        // let the compaction run to its end, or until it waits for this commit to finish (the fix)
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (compactor[0].isAlive() && compactor[0].getState() != Thread.State.BLOCKED
            && System.nanoTime() < deadline) {
          Thread.onSpinWait();
        }
      };
      log.commitOffsets("g", Map.of(tp, 42L));
      coordinator.afterGroupAppendForTest = () -> { };
      compactor[0].join(10_000);
      assertEquals(42, log.committedOffset("g", tp).getAsLong());
    }
    try (Log log = Log.open(dir)) {
      assertEquals(42, log.committedOffset("g", tp).getAsLong(), "the acknowledged commit was lost");
    }
  }

  @Test
  void aDeletedGroupStaysDeletedAcrossReopenAndCompaction() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      log.commitOffsets("a", Map.of(tp, 1L));
      log.commitOffsets("b", Map.of(tp, 2L));
      assertTrue(log.deleteGroup("a"));
      assertTrue(!log.deleteGroup("a"));
    }
    try (Log log = Log.open(dir)) {
      assertEquals(Map.of("b", Map.of(tp, 2L)), log.groupOffsets());
      assertTrue(((LogImpl) log).coordinator().compactNow());
    }
    try (Log log = Log.open(dir)) {
      assertEquals(Map.of("b", Map.of(tp, 2L)), log.groupOffsets());
    }
  }
}
