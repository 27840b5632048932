package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SensorMetricsTest {
  @TempDir Path dir;

  @Test
  void eachSensorMinuteIsReportedOnceWithItsAverage() throws Exception {
    long n = 8 * 60 * 5; // 8 sensors, one reading a second each, 5 minutes
    ExampleRunner.Run run = ExampleRunner.run(new SensorMetrics(), dir, n);
    Map<String, long[]> sums = new TreeMap<>();
    for (long i = 0; i < n; i++) {
      long minute = (Example.EPOCH + (i / SensorMetrics.SENSORS) * 1000) / 60_000 * 60_000;
      long[] s = sums.computeIfAbsent(Instant.ofEpochMilli(minute) + " s-" + (i % SensorMetrics.SENSORS),
          k -> new long[2]);
      s[0] += SensorMetrics.decicelsius(i);
      s[1]++;
    }
    Map<String, String> expected = new TreeMap<>();
    sums.forEach((k, s) -> expected.put(k, String.format(Locale.ROOT, "%.2f", s[0] / (10.0 * s[1]))));
    Map<String, String> got = new TreeMap<>();
    for (String l : run.output()) {
      int cut = l.lastIndexOf(' ');
      assertEquals(null, got.put(l.substring(0, cut), l.substring(cut + 1)), "minute reported twice: " + l);
    }
    assertEquals(40, expected.size());
    assertEquals(expected, got, "without a crash, at-most-once loses nothing either");
  }
}
