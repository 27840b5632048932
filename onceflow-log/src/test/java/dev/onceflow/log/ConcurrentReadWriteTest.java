package dev.onceflow.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Readers racing writers: a read-committed consumer polls while a transactional producer commits and aborts and a
 * plain producer appends, across segment rolls. It must see every committed and plain record exactly once, in offset
 * order, and never an aborted one.
 */
class ConcurrentReadWriteTest {
  @TempDir Path dir;

  @Test
  void aReadCommittedConsumerRacingWritersSeesExactlyTheCommittedDataUnderOs() throws Exception {
    race(FsyncPolicy.OS);
  }

  @Test
  void aReadCommittedConsumerRacingWritersSeesExactlyTheCommittedDataUnderEveryAppend() throws Exception {
    race(FsyncPolicy.EVERY_APPEND);
  }

  @Test
  void aReadCommittedConsumerRacingWritersSeesExactlyTheCommittedDataUnderEveryMillis() throws Exception {
    race(FsyncPolicy.everyMillis(2));
  }

  private void race(FsyncPolicy policy) throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    int txns = 300;
    int plains = 600;
    try (Log log = Log.open(dir, LogConfig.builder().fsyncPolicy(policy).build())) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(4096).build());
      AtomicReference<Throwable> failure = new AtomicReference<>();
      Set<String> expected = java.util.concurrent.ConcurrentHashMap.newKeySet();
      Thread tx = new Thread(() -> {
        try (TransactionalProducer p = log.transactionalProducer("tx")) {
          p.initTransactions();
          for (int i = 0; i < txns; i++) {
            p.beginTransaction();
            p.sendBatch(tp, TestSupport.recs("t" + i + "-", 1 + i % 4));
            if (i % 3 == 0) {
              p.abortTransaction();
            } else {
              p.commitTransaction();
              for (int k = 0; k < 1 + i % 4; k++) {
                expected.add("t" + i + "-" + k);
              }
            }
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      Thread plain = new Thread(() -> {
        try {
          Producer p = log.producer();
          for (int i = 0; i < plains; i++) {
            p.send(tp, TestSupport.rec("p" + i));
            expected.add("p" + i);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      });
      tx.start();
      plain.start();
      List<LogRecord> seen = new ArrayList<>();
      try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
        c.assign(List.of(tp));
        while (tx.isAlive() || plain.isAlive() || !c.atEnd(tp)) {
          seen.addAll(c.poll(50, Duration.ofMillis(100)));
        }
        seen.addAll(c.poll(100_000));
      }
      tx.join();
      plain.join();
      assertNull(failure.get());
      Set<String> values = new HashSet<>();
      long last = -1;
      for (LogRecord r : seen) {
        String v = TestSupport.s(r.value());
        assertTrue(values.add(v), "duplicate " + v);
        assertTrue(r.offset() > last, "offsets go forward");
        last = r.offset();
        assertTrue(expected.contains(v), "aborted or unknown record " + v + " was served");
      }
      assertEquals(expected, values);
    }
  }
}
