package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.log.Log;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, defect 2: a parallelism-4 job SIGKILLed after all its sink subtasks prepared checkpoint 1 but before it
 * completed, restarted at parallelism 2. No checkpoint records the 4 prepared transactions, and 2 of their
 * transactional ids are not used by the new run; recovery must still resolve all 4 (from the job history written
 * before any writer started), else they stay PREPARED, the output partitions' last stable offset stays put and
 * read-committed readers never see the new run's output.
 */
class LowerParallelismRecoveryCrashTest {
  private static final long N = 8_000;

  @TempDir Path tmp;

  @Test
  @Timeout(180)
  void preparedTransactionsOfSubtasksGoneAfterLoweringParallelismAreResolved() throws Exception {
    Path logDir = tmp.resolve("log");
    Path ckpt = tmp.resolve("ckpt");
    try (Log log = Log.open(logDir)) {
      LogTopics.fill(log, "posts", 4, N, Long::toString);
      log.createTopic("counts", TopicConfig.partitions(2));
    }

    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process child = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        PrepareThenHangChild.class.getName(), logDir.toString(), ckpt.toString(), "4")
        .redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("child.err").toFile()))
        .start();
    Set<String> prepared = new HashSet<>();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
        StandardCharsets.UTF_8))) {
      while (prepared.size() < 4) {
        String line = out.readLine(); // the @Timeout bounds a hung child
        assertTrue(line != null, "the child ended before all 4 sink subtasks prepared; see " + tmp.resolve("child.err"));
        assertTrue(line.startsWith("PREPARED "), "every sink subtask must have output to prepare: " + line);
        prepared.add(line);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on POSIX, with checkpoint 1 prepared everywhere and complete nowhere
      child.waitFor();
    }

    try (Log log = Log.open(logDir)) {
      assertEquals(4, log.preparedTransactions(PrepareThenHangChild.JOB + "-").size(),
          "the kill must leave 4 prepared transactions behind");
      Onceflow.pipeline(PrepareThenHangChild.JOB)
          .guarantee(Guarantee.EXACTLY_ONCE)
          .parallelism(2)
          .checkpointDir(ckpt)
          .source(LogSource.of(log, "posts", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded())
          .keyBy(i -> i % PrepareThenHangChild.KEYS)
          .process(new CountPerKey())
          .sinkTo(LogSink.transactional(log, "counts", Encoder.<String>utf8String()))
          .execute();

      assertEquals(0, log.preparedTransactions(PrepareThenHangChild.JOB + "-").size(),
          "transactions still PREPARED: " + log.preparedTransactions(PrepareThenHangChild.JOB + "-"));
      for (int p = 0; p < 2; p++) {
        TopicPartition tp = new TopicPartition("counts", p);
        assertEquals(log.endOffset(tp), log.lastStableOffset(tp), "last stable offset of " + tp + " is stuck");
      }
      Expectations.assertExactlyOnce(LogTopics.values(LogTopics.readCommitted(log, "counts")), N,
          i -> i % PrepareThenHangChild.KEYS);
    }
  }
}
