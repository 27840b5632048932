package dev.onceflow.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the log tests. */
public final class TestSupport {
  private TestSupport() {}

  public static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  public static String s(byte[] b) {
    return b == null ? null : new String(b, StandardCharsets.UTF_8);
  }

  public static ProducerRecord rec(String value) {
    return new ProducerRecord(null, b(value), 1000L, Headers.empty());
  }

  public static List<ProducerRecord> recs(String prefix, int n) {
    List<ProducerRecord> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(rec(prefix + i));
    }
    return out;
  }

  /** Reads everything currently readable from the partitions with the given isolation, from the start. */
  public static List<LogRecord> readAll(Log log, Isolation isolation, TopicPartition... tps) {
    try (Consumer c = log.consumer(new ConsumerConfig(isolation, java.util.Optional.empty()))) {
      c.assign(List.of(tps));
      List<LogRecord> all = new ArrayList<>();
      while (true) {
        List<LogRecord> got = c.poll(10_000);
        if (got.isEmpty()) {
          return all;
        }
        all.addAll(got);
      }
    }
  }

  public static List<String> values(List<LogRecord> records) {
    List<String> out = new ArrayList<>();
    for (LogRecord r : records) {
      out.add(s(r.value()));
    }
    return out;
  }
}
