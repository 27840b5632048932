package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Isolation;
import dev.onceflow.log.Log;
import dev.onceflow.log.Producer;
import dev.onceflow.log.TestSupport;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A cancelled (interrupted) task must not break the log for everyone else. */
class InterruptTest {
  @TempDir Path dir;

  @Test
  void interruptedProducersAndConsumersLeaveTheLogWorking() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      Producer p = log.producer();
      p.sendBatch(tp, TestSupport.recs("a", 10));
      AtomicBoolean pollReturned = new AtomicBoolean();
      Thread interrupted = new Thread(() -> {
        Thread.currentThread().interrupt(); // appends and reads with the interrupt flag set
        p.sendBatch(tp, TestSupport.recs("b", 10));
        try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
          c.assign(List.of(tp));
          c.poll(100);
          c.poll(100, Duration.ofSeconds(30)); // returns at once: interrupted
          pollReturned.set(true);
        }
      });
      interrupted.start();
      interrupted.join();
      assertTrue(pollReturned.get());
      p.sendBatch(tp, TestSupport.recs("c", 10));
      assertEquals(30, TestSupport.readAll(log, Isolation.READ_COMMITTED, tp).size());
    }
    try (Log log = Log.open(dir)) {
      assertEquals(30, TestSupport.readAll(log, Isolation.READ_COMMITTED, tp).size());
    }
  }
}
