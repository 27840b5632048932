package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.testing.ChildJvm;
import dev.onceflow.log.Log;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 defect 3 with a real SIGKILL: under AT_MOST_ONCE a source subtask that had read all its partitions before
 * the restored checkpoint must not hold back the watermark after the restart, or the windows that fired between that
 * checkpoint and the kill do not fire during the suppressed replay and are written a second time, live.
 */
class WindowCrashTest {
  private static final long N = 30_000;

  @TempDir Path tmp;

  private static ChildJvm child(Path logDir, Path ckpt, Path stderr) throws Exception {
    return ChildJvm.start(WindowCrashChild.class, List.of("-Dorg.slf4j.simpleLogger.defaultLogLevel=info"),
        List.of(logDir.toString(), ckpt.toString()), stderr);
  }

  private static String next(ChildJvm child) throws Exception {
    String l = child.next();
    if (l == null) {
      throw new AssertionError("the child exited early (" + child.waitFor() + "); stderr:\n" + child.stderrTail());
    }
    return l;
  }

  @Test
  void windowsThatFiredBeforeAKillAreNotWrittenAgainWhenTheOtherSubtaskHadEnded() throws Exception {
    Path logDir = tmp.resolve("log");
    Path ckpt = tmp.resolve("ckpt");
    Path stderr = tmp.resolve("child.err");
    try (Log log = Log.open(logDir)) {
      LogTopics.fill(log, "events", 3, N, Long::toString); // timestamp of event i = i ms
      log.createTopic("counts", dev.onceflow.log.TopicConfig.partitions(2));
    }
    int firedAfterCheckpoint = 0;
    try (ChildJvm first = child(logDir, ckpt, stderr)) {
      while (!next(first).equals("ENDED")) {
        // subtask 1 has not read all of partition 1 yet
      }
      // the second checkpoint completed after that surely holds subtask 1 at its end
      for (int ckpts = 0; ckpts < 2; ) {
        if (next(first).startsWith("CKPT")) {
          ckpts++;
        }
      }
      while (firedAfterCheckpoint < 20) {
        String l = next(first);
        assertTrue(!l.equals("FINISHED"), "the job finished before the kill");
        if (l.startsWith("FIRED")) {
          firedAfterCheckpoint++;
        }
      }
      first.kill();
    }
    try (ChildJvm second = child(logDir, ckpt, stderr)) {
      second.awaitLine("FINISHED");
      assertEquals(0, second.waitFor());
    }

    Map<String, Integer> perWindow = new HashMap<>();
    try (Log log = Log.open(logDir)) {
      for (String v : LogTopics.values(LogTopics.readCommitted(log, "counts"))) {
        perWindow.merge(v.substring(0, v.indexOf(':')), 1, Integer::sum);
      }
    }
    assertTrue(perWindow.size() > N / 100 * WindowCrashChild.KEYS / 2, perWindow.size() + " windows written");
    perWindow.forEach((w, count) -> assertEquals(1, count, "window " + w + " written " + count + " times"));
  }
}
