package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogFailedException;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FailStopTest {
  @TempDir Path dir;

  @Test
  void anFsyncErrorStopsTheLogForEveryLaterCallAndReopenRecovers() throws Exception {
    TopicPartition tp = new TopicPartition("t", 0);
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.partitions(1));
      Producer p = log.producer();
      p.send(tp, ProducerRecord.of(new byte[] {1}));
      PartitionLog part = ((LogImpl) log).partition(tp);
      part.segments.lastEntry().getValue().breakWriterForTest();
      LogFailedException first = assertThrows(LogFailedException.class, () -> p.send(tp, ProducerRecord.of(new byte[] {2})));
      assertTrue(first.getMessage().contains("fail-stop"), first.getMessage());
      assertThrows(LogFailedException.class, () -> p.send(tp, ProducerRecord.of(new byte[] {3})));
      assertThrows(LogFailedException.class, () -> log.endOffset(tp));
      assertThrows(LogFailedException.class, () -> log.consumer(ConsumerConfig.readCommitted()));
      assertThrows(LogFailedException.class, log::stats);
    }
    try (Log log = Log.open(dir)) {
      assertTrue(log.endOffset(tp) >= 1);
    }
  }
}
