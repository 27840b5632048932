package dev.onceflow.core.connector.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.Log;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9 defect 3 with a real SIGKILL: under AT_MOST_ONCE a source subtask that had read all its partitions before
 * the restored checkpoint must not hold back the watermark after the restart, or the windows that fired between that
 * checkpoint and the kill do not fire during the suppressed replay and are written a second time, live.
 */
class WindowCrashTest {
  private static final long N = 30_000;
  private static final String EOF_MARK = "\u0000EOF";

  @TempDir Path tmp;

  private static Process child(Path logDir, Path ckpt, Path stderr, BlockingQueue<String> lines) throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process process = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", WindowCrashChild.class.getName(),
        logDir.toString(), ckpt.toString())
        .redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile()))
        .start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (java.io.IOException e) {
        // the child was killed
      } finally {
        lines.add(EOF_MARK);
      }
    }, "child-stdout");
    pump.setDaemon(true);
    pump.start();
    return process;
  }

  private static String next(BlockingQueue<String> lines, Path stderr) throws Exception {
    String l = lines.poll(120, TimeUnit.SECONDS);
    assertNotNull(l, "the child printed nothing for 120 s");
    if (l.equals(EOF_MARK)) {
      throw new AssertionError("the child exited early; see " + stderr + ": "
          + Files.readString(stderr).lines().filter(s -> s.contains("Exception")).findFirst().orElse(""));
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
    BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    Process first = child(logDir, ckpt, stderr, lines);
    int firedAfterCheckpoint = 0;
    try {
      while (!next(lines, stderr).equals("ENDED")) {
        // subtask 1 has not read all of partition 1 yet
      }
      // the second checkpoint completed after that surely holds subtask 1 at its end
      for (int ckpts = 0; ckpts < 2; ) {
        if (next(lines, stderr).startsWith("CKPT")) {
          ckpts++;
        }
      }
      while (firedAfterCheckpoint < 20) {
        String l = next(lines, stderr);
        assertTrue(!l.equals("FINISHED"), "the job finished before the kill");
        if (l.startsWith("FIRED")) {
          firedAfterCheckpoint++;
        }
      }
    } finally {
      first.destroyForcibly(); // SIGKILL on POSIX
      first.waitFor();
    }
    BlockingQueue<String> again = new LinkedBlockingQueue<>();
    Process second = child(logDir, ckpt, stderr, again);
    try {
      while (!next(again, stderr).equals("FINISHED")) {
        // running to the end
      }
      assertEquals(0, second.waitFor());
    } finally {
      second.destroyForcibly();
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
