package dev.onceflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;

/**
 * Checks the output lines "id,key,count" of {@link CountPerKey} over events 0..n-1 with key = keyOf(id) against the
 * guarantee: exact (each id once, counts per key exactly 1..n_k), nothing missing, or nothing duplicated.
 */
// A copy of onceflow-core's test helper (core publishes no test jar).
public final class Expectations {
  private Expectations() {}

  public static void assertExactlyOnce(List<String> lines, long n, LongUnaryOperator keyOf) {
    Map<Long, Integer> ids = idCounts(lines);
    for (long i = 0; i < n; i++) {
      Integer c = ids.get(i);
      if (c == null || c != 1) {
        fail("event " + i + " has " + (c == null ? 0 : c) + " effects in the committed output, expected exactly 1");
      }
    }
    assertEquals(n, lines.size(), "committed output lines");
    Map<Long, List<Long>> countsByKey = new TreeMap<>();
    for (String l : lines) {
      String[] f = l.split(",");
      countsByKey.computeIfAbsent(Long.parseLong(f[1]), k -> new ArrayList<>()).add(Long.parseLong(f[2]));
    }
    Map<Long, Long> expectedPerKey = new HashMap<>();
    for (long i = 0; i < n; i++) {
      expectedPerKey.merge(keyOf.applyAsLong(i), 1L, Long::sum);
    }
    for (var e : countsByKey.entrySet()) {
      List<Long> counts = new ArrayList<>(e.getValue());
      counts.sort(null);
      long nk = expectedPerKey.getOrDefault(e.getKey(), 0L);
      assertEquals(nk, counts.size(), "outputs of key " + e.getKey());
      for (int j = 0; j < counts.size(); j++) {
        if (counts.get(j) != j + 1) {
          fail("key " + e.getKey() + ": state counts are not exactly 1.." + nk + " (state effect repeated or lost): "
              + counts.subList(Math.max(0, j - 2), Math.min(counts.size(), j + 3)));
        }
      }
    }
  }

  public static void assertNothingMissing(List<String> lines, long n) {
    Map<Long, Integer> ids = idCounts(lines);
    for (long i = 0; i < n; i++) {
      assertTrue(ids.containsKey(i), "event " + i + " has no effect in the output (lost)");
    }
  }

  public static void assertNothingDuplicated(List<String> lines) {
    for (var e : idCounts(lines).entrySet()) {
      if (e.getValue() > 1) {
        fail("event " + e.getKey() + " has " + e.getValue() + " effects in the output (duplicated)");
      }
    }
  }

  private static Map<Long, Integer> idCounts(List<String> lines) {
    Map<Long, Integer> ids = new HashMap<>();
    for (String l : lines) {
      ids.merge(Long.parseLong(l.substring(0, l.indexOf(','))), 1, Integer::sum);
    }
    return ids;
  }
}
