package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.DeferredToken;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The transactional log sink prepares off the task thread: on the barrier the task thread only seals the transaction
 * (no fsync; the log's {@code DeferredPrepareTest} proves sealing forces nothing) and begins the next; the preparation
 * runs on the writer's preparer thread and the token the runtime awaits before acknowledging the checkpoint is the
 * PREPARED (durable, committable) transaction.
 */
class LogSinkDeferredPrepareTest {
  @TempDir Path dir;

  @Test
  void theBarrierSealsTheTransactionAndTheAwaitPreparesIt() throws Exception {
    try (Log log = Log.open(dir)) {
      log.createTopic("out", TopicConfig.partitions(2));
      TwoPhaseCommitSink<String> sink = LogSink.transactional(log, "out", Encoder.utf8String());
      SinkContext ctx = new SinkContext("job", sink.name(), 0, 1);
      try (TwoPhaseCommitWriter<String> w = sink.createWriter(ctx)) {
        w.beginTransaction();
        w.write("a");
        w.write("b");
        DeferredToken deferred = w.preCommitDeferred(1);
        // the task thread only sealed it; its fsyncs run on the writer's preparer thread (started by this barrier)
        assertTrue(Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.getName().equals("onceflow-log-sink-prepare-" + ctx.subtaskId())),
            "the preparation was handed to the preparer thread, not done on the task thread");
        w.beginTransaction(); // the next transaction at once
        w.write("c");

        byte[] token = deferred.await(Duration.ofSeconds(10)); // the checkpoint I/O thread's part
        assertEquals(1, log.preparedTransactions(ctx.subtaskId()).size(), "prepared once awaited");
        assertEquals(List.of(), committed(log), "prepared is still invisible");

        sink.commitAll(List.of(token));
        assertEquals(List.of("a", "b"), committed(log));
        sink.commitAll(List.of(token)); // idempotent, as recovery needs
        assertEquals(List.of("a", "b"), committed(log));

        byte[] second = w.preCommitDeferred(2).await(Duration.ofSeconds(10));
        sink.commit(second);
        assertEquals(List.of("a", "b", "c"), committed(log));
      }
    }
  }

  private static List<String> committed(Log log) {
    List<String> out = new ArrayList<>();
    try (Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      c.assign(List.of(new TopicPartition("out", 0), new TopicPartition("out", 1)));
      for (List<LogRecord> got = c.poll(1000); !got.isEmpty(); got = c.poll(1000)) {
        got.forEach(r -> out.add(new String(r.value(), StandardCharsets.UTF_8)));
      }
    }
    out.sort(null);
    return out;
  }
}
