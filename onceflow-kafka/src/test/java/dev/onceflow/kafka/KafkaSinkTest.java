package dev.onceflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionState;
import org.junit.jupiter.api.Test;

/** KafkaSink against a real broker: the transaction life cycle across "processes" (sink instances), and failures. */
class KafkaSinkTest {

  private static KafkaSink.Builder<String> sink(String topic, Guarantee g) throws Exception {
    return KafkaSink.<String>builder().bootstrapServers(TestKafka.bootstrap()).topic(topic)
        .valueEncoder(Encoder.utf8String()).guarantee(g);
  }

  @SuppressWarnings("unchecked")
  private static TwoPhaseCommitSink<String> transactional(KafkaSink.Builder<String> b) {
    return (TwoPhaseCommitSink<String>) b.build();
  }

  @Test
  void aTransactionPreparedByADeadProcessIsCommittedByTheNextOneAndCommitIsIdempotent() throws Exception {
    String topic = TestKafka.topic("resume", 2);
    String prefix = "resume-" + topic;
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    TwoPhaseCommitSink<String> first = transactional(sink(topic, Guarantee.EXACTLY_ONCE).transactionalIdPrefix(prefix));
    first.abortLingering(ctx, List.of());
    TwoPhaseCommitWriter<String> w = first.createWriter(ctx);
    w.beginTransaction();
    for (int i = 0; i < 100; i++) {
      w.write("a" + i);
    }
    byte[] token1 = w.preCommit(1);
    w.beginTransaction();
    w.write("open-at-crash");
    w.preCommit(2); // prepared, but checkpoint 2 never completes: must be aborted
    w.close(); // the process "dies": nothing committed, both transactions stay open on the broker
    assertEquals(List.of(), TestKafka.readCommitted(topic));

    // the next process: the runtime commits the restored checkpoint's token, then aborts the rest
    TwoPhaseCommitSink<String> second =
        transactional(sink(topic, Guarantee.EXACTLY_ONCE).transactionalIdPrefix(prefix));
    second.commit(token1);
    second.commit(token1); // recovery may commit a token again: no-op
    second.abortLingering(ctx, List.of(token1));
    List<String> out = TestKafka.awaitCommitted(topic, 100);
    assertEquals(100, out.size(), out.toString());
    assertTrue(out.stream().allMatch(v -> v.startsWith("a")));

    // and the restarted writer works on the same ids
    TwoPhaseCommitWriter<String> w2 = second.createWriter(ctx);
    w2.beginTransaction();
    w2.write("b");
    byte[] t3 = w2.preCommit(3);
    second.commit(t3);
    w2.close();
    second.commit(t3); // again, from another "process" state: the marker says committed
    assertEquals(101, TestKafka.awaitCommitted(topic, 101).size());
  }

  @Test
  void aSecondRunningPipelineWithTheSameTransactionalIdsIsRefusedAtStart() throws Exception {
    String topic = TestKafka.topic("clash", 1);
    String prefix = "clash-" + topic;
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    TwoPhaseCommitSink<String> running = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix(prefix));
    TwoPhaseCommitSink<String> other = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix(prefix));
    try (TwoPhaseCommitWriter<String> w = running.createWriter(ctx)) {
      w.beginTransaction();
      KafkaSinkException e = assertThrows(KafkaSinkException.class, () -> other.createWriter(ctx));
      assertTrue(e.getMessage().contains("another running pipeline"), e.getMessage());
      w.write("still mine");
      running.commit(w.preCommit(1)); // not fenced by the refused start
    }
    assertEquals(List.of("still mine"), TestKafka.awaitCommitted(topic, 1));
    other.createWriter(ctx).close(); // the first one stopped: now it may start
  }

  @Test
  void inProcessCommitHappensOnlyWhenCommitIsCalled() throws Exception {
    String topic = TestKafka.topic("inproc", 1);
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    TwoPhaseCommitSink<String> s = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix("inproc-" + topic));
    s.abortLingering(ctx, List.of());
    try (TwoPhaseCommitWriter<String> w = s.createWriter(ctx)) {
      for (int c = 1; c <= 6; c++) { // more checkpoints than producers in the pool: ids are reused after commit
        w.beginTransaction();
        w.write("c" + c);
        byte[] t = w.preCommit(c);
        assertEquals(c - 1, TestKafka.readCommitted(topic).size(), "visible before its commit");
        s.commit(t);
        assertEquals(c, TestKafka.awaitCommitted(topic, c).size());
      }
    }
  }

  /**
   * The end of a bounded job: each subtask's writer prepares its last transaction on the final barrier and is closed
   * before the checkpoint completes (a sink in a later stage than the source). The commit must still be made by the
   * producer that prepared it (a closed producer made it a recovery: ~1.5 s at every job end), for every subtask in
   * one commitAll, and a failure of one subtask's commit reaches the caller as itself.
   */
  /** Two subtasks' writers each write {@code prefix + subtask}, prepare checkpoint {@code id} and close. */
  private static List<byte[]> preparedByClosedWriters(TwoPhaseCommitSink<String> sink, String prefix, long id)
      throws Exception {
    List<byte[]> tokens = new java.util.ArrayList<>();
    for (int sub = 0; sub < 2; sub++) {
      SinkContext ctx = new SinkContext("job", "sink", sub, 2);
      sink.abortLingering(ctx, List.of());
      TwoPhaseCommitWriter<String> w = sink.createWriter(ctx);
      w.beginTransaction();
      w.write(prefix + sub);
      tokens.add(w.preCommit(id));
      w.close();
    }
    return tokens;
  }

  @Test
  void theLastTransactionOfAClosedWriterIsCommittedInProcessAndCommitAllCommitsEverySubtask() throws Exception {
    String topic = TestKafka.topic("endclose", 2);
    var s = (dev.onceflow.kafka.internal.KafkaTransactionalSink<String>) transactional(
        sink(topic, Guarantee.EXACTLY_ONCE).transactionalIdPrefix("endclose-" + topic));
    List<byte[]> tokens = preparedByClosedWriters(s, "s", 1);
    assertEquals(List.of(), TestKafka.readCommitted(topic));
    s.commitAll(tokens);
    assertEquals(List.of("s0", "s1"), TestKafka.awaitCommitted(topic, 2).stream().sorted().toList());
    assertEquals(0, s.recoveredCommits(), "the closed writers' producers committed their own transactions");
    s.commitAll(tokens); // recovery commits again: no-ops, decided by the markers
    assertEquals(2, s.recoveredCommits());
    assertEquals(2, TestKafka.readCommitted(topic).size());

    // one subtask's transaction lost (fenced by another process), the other's fine: the loss is what commitAll throws
    String prefix = "endclose-lost-" + topic;
    var t = (dev.onceflow.kafka.internal.KafkaTransactionalSink<String>) transactional(
        sink(topic, Guarantee.EXACTLY_ONCE).transactionalIdPrefix(prefix));
    List<byte[]> more = preparedByClosedWriters(t, "t", 2);
    transactional(sink(topic, Guarantee.EXACTLY_ONCE).transactionalIdPrefix(prefix))
        .abortLingering(new SinkContext("job", "sink", 1, 2), List.of()); // fences subtask 1's producers
    KafkaTransactionLostException e = assertThrows(KafkaTransactionLostException.class, () -> t.commitAll(more));
    assertEquals(2, e.checkpointId());
    assertEquals(List.of("t0"), TestKafka.awaitCommitted(topic, 3).stream().filter(v -> v.startsWith("t")).toList());
  }

  @Test
  void aTransactionAbortedByTheBrokersTimeoutFailsTheRestoreNamingTheCheckpoint() throws Exception {
    String topic = TestKafka.topic("timeout", 1);
    String prefix = "timeout-" + topic;
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    TwoPhaseCommitSink<String> first = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix(prefix).transactionTimeout(Duration.ofSeconds(2)));
    first.abortLingering(ctx, List.of());
    TwoPhaseCommitWriter<String> w = first.createWriter(ctx);
    w.beginTransaction();
    w.write("lost");
    byte[] token = w.preCommit(7);
    w.close();
    // wait (bounded) until the broker's timeout abort happened
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrap()))) {
      String id = prefix + "-0-0";
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (admin.describeTransactions(List.of(id)).description(id).get().state() == TransactionState.ONGOING) {
        assertTrue(System.nanoTime() < deadline, "the broker did not abort the timed-out transaction");
        Thread.onSpinWait();
      }
    }
    TwoPhaseCommitSink<String> second = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix(prefix).transactionTimeout(Duration.ofSeconds(2)));
    KafkaTransactionLostException e = assertThrows(KafkaTransactionLostException.class, () -> second.commit(token));
    assertEquals(7, e.checkpointId());
    assertTrue(e.getMessage().contains("checkpoint 7") && e.getMessage().contains("transaction.timeout.ms"),
        e.getMessage());
    assertEquals(List.of(), TestKafka.readCommitted(topic));
  }

  @Test
  void aRecordKafkaRefusesFailsTheJobWithTheReasonUnderEveryGuarantee() throws Exception {
    String topic = TestKafka.topic("toolarge", 1);
    String big = "x".repeat(5000);
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    TwoPhaseCommitSink<String> tx = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix("toolarge-" + topic).property("max.request.size", "2000"));
    tx.abortLingering(ctx, List.of());
    try (TwoPhaseCommitWriter<String> w = tx.createWriter(ctx)) {
      w.beginTransaction();
      w.write(big);
      KafkaSinkException e = assertThrows(KafkaSinkException.class, () -> w.preCommit(1));
      assertTrue(e.getMessage().contains("RecordTooLargeException"), e.getMessage());
      w.abort();
    }
    for (Guarantee g : List.of(Guarantee.AT_LEAST_ONCE, Guarantee.AT_MOST_ONCE)) {
      @SuppressWarnings("unchecked")
      WriteThroughSink<String> plain = (WriteThroughSink<String>) sink(topic, g)
          .property("max.request.size", "2000").build();
      try (SinkWriter<String> w = plain.createWriter(ctx)) {
        w.write(big);
        KafkaSinkException e = assertThrows(KafkaSinkException.class, () -> {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (System.nanoTime() < deadline) {
            w.flush(); // AT_MOST_ONCE does not wait: the failure surfaces at the next call after it happened
            Thread.onSpinWait();
          }
        });
        assertTrue(e.getMessage().contains("RecordTooLargeException"), g + ": " + e.getMessage());
      }
    }
  }
  /**
   * The write-through writer waits for acknowledgements only on flush (barrier, idle input, end), not at every input
   * batch: with a 60 s linger, a record is still unsent when endOfBatch returns (with the core's default endOfBatch =
   * flush it would be on the broker), and on the broker right after flush. A failed send still surfaces at endOfBatch.
   */
  @Test
  void theWriteThroughWriterDoesNotWaitForAcknowledgementsAtEachInputBatchOnlyOnFlush() throws Exception {
    String topic = TestKafka.topic("endofbatch", 1);
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    @SuppressWarnings("unchecked")
    WriteThroughSink<String> plain = (WriteThroughSink<String>) sink(topic, Guarantee.AT_LEAST_ONCE)
        .property("linger.ms", "60000").property("batch.size", "1000000").property("delivery.timeout.ms", "120000")
        .property("request.timeout.ms", "30000").build();
    try (SinkWriter<String> w = plain.createWriter(ctx);
        Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrap()))) {
      var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
      w.write("a");
      w.endOfBatch();
      long end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
          .get(60, TimeUnit.SECONDS).get(tp).offset();
      assertEquals(0, end, "endOfBatch waited for the record's acknowledgement (a flush per input batch)");
      w.flush();
      end = admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
          .get(60, TimeUnit.SECONDS).get(tp).offset();
      assertEquals(1, end, "flush returned before the record was on the broker");
    }
    @SuppressWarnings("unchecked")
    WriteThroughSink<String> small = (WriteThroughSink<String>) sink(topic, Guarantee.AT_LEAST_ONCE)
        .property("max.request.size", "2000").build();
    try (SinkWriter<String> w = small.createWriter(ctx)) {
      w.write("x".repeat(5000));
      KafkaSinkException e = assertThrows(KafkaSinkException.class, () -> {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
          w.endOfBatch(); // the send fails asynchronously: it surfaces at the first batch end after it happened
          Thread.onSpinWait();
        }
      });
      assertTrue(e.getMessage().contains("RecordTooLargeException"), e.getMessage());
    }
  }
  /**
   * The exactly-once prepare returns before the transaction is acknowledged (it returns while the broker is stopped
   * with SIGSTOP; the former preCommit flushed here), its flush starts at once all the same (with a 60 s linger the
   * record reaches the broker before anyone awaits the token: the runtime awaits the subtasks' tokens one after the
   * other on its checkpoint I/O thread, so a flush begun there ran after the previous subtask's round trip), the next
   * transaction is written at once on another producer, and the token resolves on another thread (as the runtime's
   * checkpoint I/O thread), also when the writer is closed meanwhile (the end of input: the task closes the writer
   * after the final barrier).
   */
  @Test
  void theExactlyOncePrepareIsDeferredToTheTokenWhichResolvesAlsoWhileTheWriterCloses() throws Exception {
    String topic = TestKafka.topic("deferred", 1);
    SinkContext ctx = new SinkContext("job", "sink", 0, 1);
    TwoPhaseCommitSink<String> s = transactional(sink(topic, Guarantee.EXACTLY_ONCE)
        .transactionalIdPrefix("deferred-" + topic).property("linger.ms", "60000").property("batch.size", "1000000"));
    s.abortLingering(ctx, List.of());
    var tp = new org.apache.kafka.common.TopicPartition(topic, 0);
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", TestKafka.bootstrap()))) {
      TwoPhaseCommitWriter<String> w = s.createWriter(ctx);
      // an empty transaction first: the producer then knows the marker topic (a send to a topic the producer has no
      // metadata of waits for it, which a stopped broker never answers)
      w.beginTransaction();
      s.commit(w.preCommitDeferred(0).await(Duration.ofSeconds(60)));
      w.beginTransaction();
      w.write("a");
      long broker = TestKafka.broker().pid();
      signal("STOP", broker);
      dev.onceflow.core.sink.DeferredToken d1;
      try {
        d1 = org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20),
            () -> w.preCommitDeferred(1), "the prepare waited for the transaction's acknowledgements on the task thread");
      } finally {
        signal("CONT", broker);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (admin.listOffsets(Map.of(tp, org.apache.kafka.clients.admin.OffsetSpec.latest())).all()
          .get(60, TimeUnit.SECONDS).get(tp).offset() < 1) {
        assertTrue(System.nanoTime() < deadline, "the prepared transaction's record was not sent within 30 s of the"
            + " prepare (linger.ms 60 s): its flush waits for the token's await");
        Thread.sleep(20); // the broker's log end: nothing to wait on but another ListOffsets
      }
      w.beginTransaction(); // the next producer of the pool, at once
      w.write("b");
      var io = java.util.concurrent.Executors.newSingleThreadExecutor();
      try {
        byte[] t1 = io.submit(() -> d1.await(Duration.ofSeconds(60))).get(90, TimeUnit.SECONDS);
        assertEquals(List.of(), TestKafka.readCommitted(topic), "visible before its commit");
        s.commit(t1);
        assertEquals(List.of("a"), TestKafka.awaitCommitted(topic, 1));
        dev.onceflow.core.sink.DeferredToken d2 = w.preCommitDeferred(2);
        var t2 = io.submit(() -> d2.await(Duration.ofSeconds(60)));
        w.close(); // while t2 may still be awaited: must not fail the records not sent yet
        s.commit(t2.get(90, TimeUnit.SECONDS));
        assertEquals(List.of("a", "b"), TestKafka.awaitCommitted(topic, 2));
      } finally {
        io.shutdownNow();
      }
    }
  }

  /** Sends SIGSTOP / SIGCONT to a process (the broker: nothing it is asked is answered while stopped). */
  private static void signal(String sig, long pid) throws Exception {
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
    assertEquals(0, k.waitFor(), "kill -" + sig + " " + pid);
  }
}
