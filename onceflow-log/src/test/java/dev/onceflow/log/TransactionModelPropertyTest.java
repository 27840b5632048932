package dev.onceflow.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random interleavings of plain sends and transactional send / commit / abort / prepare / decide-by-token / restart
 * (fencing) / reopen across partitions agree with a simple in-memory model: the read-committed view and the last
 * stable offset of every partition, after every step.
 */
class TransactionModelPropertyTest {
  private static final int PARTITIONS = 3;
  private static final String[] IDS = {"A", "B"};
  private static final LogConfig OS = LogConfig.builder().fsyncPolicy(FsyncPolicy.OS).build();

  record Op(int kind, int id, int partition, int pick) {}

  @Provide
  Arbitrary<List<Op>> ops() {
    Arbitrary<Op> op = Combinators.combine(
        Arbitraries.integers().between(0, 13), Arbitraries.integers().between(0, IDS.length - 1),
        Arbitraries.integers().between(0, PARTITIONS - 1), Arbitraries.integers().between(0, 7)).as(Op::new);
    return op.list().ofMinSize(1).ofMaxSize(40);
  }

  /** A transaction in the model. */
  static final class MTxn {
    boolean open = true;
    boolean committed;
    PreparedTransaction token;
  }

  record Entry(String value, long offset, MTxn txn) {}

  @Property(tries = 100)
  void readCommittedViewAndLsoMatchTheModel(@ForAll("ops") List<Op> ops, @ForAll boolean everyAppend)
      throws IOException {
    Path dir = Files.createTempDirectory("onceflow-model");
    LogConfig config = everyAppend ? LogConfig.defaults() : OS;
    Log log = Log.open(dir, config);
    try {
      log.createTopic("t", TopicConfig.partitions(PARTITIONS));
      Map<Integer, List<Entry>> parts = new HashMap<>();
      for (int p = 0; p < PARTITIONS; p++) {
        parts.put(p, new ArrayList<>());
      }
      TransactionalProducer[] producers = new TransactionalProducer[IDS.length];
      MTxn[] current = new MTxn[IDS.length];
      List<MTxn> prepared = new ArrayList<>();
      for (int i = 0; i < IDS.length; i++) {
        producers[i] = log.transactionalProducer(IDS[i]);
        producers[i].initTransactions();
      }
      int n = 0;
      for (Op op : ops) {
        int id = op.id();
        TopicPartition tp = new TopicPartition("t", op.partition());
        MTxn cur = current[id];
        String value = "v" + n++;
        switch (op.kind()) {
          case 0, 1, 2 -> parts.get(op.partition()).add(
              new Entry(value, log.producer().send(tp, TestSupport.rec(value)), null));
          case 3, 4, 5 -> {
            if (cur == null || !cur.open || cur.token != null) {
              producers[id].beginTransaction();
              cur = current[id] = new MTxn();
            }
            parts.get(op.partition()).add(new Entry(value, producers[id].send(tp, TestSupport.rec(value)), cur));
          }
          case 6, 7 -> {
            if (cur != null && cur.open) {
              boolean commit = op.kind() == 6;
              if (commit) {
                producers[id].commitTransaction();
              } else {
                producers[id].abortTransaction();
              }
              cur.open = false;
              cur.committed = commit;
              prepared.remove(cur);
            }
          }
          case 8, 9 -> {
            if (cur != null && cur.open && cur.token == null) {
              cur.token = producers[id].prepare();
              prepared.add(cur);
            }
          }
          case 10, 11 -> {
            if (!prepared.isEmpty()) {
              MTxn t = prepared.remove(op.pick() % prepared.size());
              boolean commit = op.kind() == 10;
              assertEquals(commit ? CompletionResult.COMMITTED : CompletionResult.ABORTED,
                  commit ? log.commitPrepared(t.token) : log.abortPrepared(t.token));
              assertEquals(commit ? CompletionResult.ALREADY_COMMITTED : CompletionResult.ALREADY_ABORTED,
                  commit ? log.commitPrepared(t.token) : log.abortPrepared(t.token));
              t.open = false;
              t.committed = commit;
            }
          }
          case 12 -> { // a new instance fences the old one: its ongoing transaction aborts, prepared ones stay
            producers[id] = log.transactionalProducer(IDS[id]);
            producers[id].initTransactions();
            abortOngoing(cur);
            current[id] = null;
          }
          default -> { // crash-free reopen: ongoing transactions abort, prepared ones stay
            log.close();
            log = Log.open(dir, config);
            for (int i = 0; i < IDS.length; i++) {
              abortOngoing(current[i]);
              current[i] = null;
              producers[i] = log.transactionalProducer(IDS[i]);
              producers[i].initTransactions();
            }
          }
        }
        check(log, parts, op);
      }
    } finally {
      log.close();
      LogFormatPropertyTest.deleteTree(dir);
    }
  }

  private static void abortOngoing(MTxn t) {
    if (t != null && t.open && t.token == null) {
      t.open = false;
    }
  }

  private static void check(Log log, Map<Integer, List<Entry>> parts, Op after) {
    for (int p = 0; p < PARTITIONS; p++) {
      TopicPartition tp = new TopicPartition("t", p);
      List<String> expected = new ArrayList<>();
      long firstOpen = Long.MAX_VALUE;
      for (Entry e : parts.get(p)) {
        if (e.txn() != null && e.txn().open) {
          firstOpen = e.offset();
          break;
        }
        if (e.txn() == null || e.txn().committed) {
          expected.add(e.value());
        }
      }
      assertEquals(expected, TestSupport.values(TestSupport.readAll(log, Isolation.READ_COMMITTED, tp)),
          "read-committed view of " + tp + " after " + after);
      assertEquals(Math.min(firstOpen, log.endOffset(tp)), log.lastStableOffset(tp), "LSO of " + tp + " after " + after);
    }
  }
}
