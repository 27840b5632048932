package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DailyTagCountsTest {
  @TempDir Path dir;

  @Test
  void everyTagDayIsCountedOnceWithItsPosts() throws Exception {
    long n = 3_000;
    ExampleRunner.Run run = ExampleRunner.run(new DailyTagCounts(), dir, n);
    assertEquals(expected(n), counts(run.output()));

    ExampleRunner.Run again = ExampleRunner.run(new DailyTagCounts(), dir, n);
    assertFalse(again.inputWritten());
    assertEquals(run.output(), again.output(), "a second run on the finished job must write nothing more");
  }

  /** The count of every tag and day of an input of {@code n} posts. */
  static Map<String, Long> expected(long n) {
    Map<String, Long> expected = new TreeMap<>();
    long step = Duration.ofDays(3).toMillis() / n;
    for (long i = 0; i < n; i++) {
      String day = Instant.ofEpochMilli(Example.EPOCH + i * step).toString().substring(0, 10);
      expected.merge(day + " " + DailyTagCounts.tag(i), 1L, Long::sum);
    }
    assertEquals(15, expected.size()); // 3 days x 5 tags
    return expected;
  }

  /** "day tag count" lines to a map; a window written twice fails. */
  static Map<String, Long> counts(List<String> lines) {
    Map<String, Long> m = new TreeMap<>();
    for (String l : lines) {
      int cut = l.lastIndexOf(' ');
      Long before = m.put(l.substring(0, cut), Long.parseLong(l.substring(cut + 1)));
      assertEquals(null, before, "window written twice: " + l);
    }
    return m;
  }
}
