package dev.onceflow.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Properties of the on-disk format and its recovery. */
class LogFormatPropertyTest {
  private static final TopicPartition TP = new TopicPartition("t", 0);
  private static final LogConfig OS = LogConfig.builder().fsyncPolicy(FsyncPolicy.OS).build();

  @Property(tries = 200)
  void anyBytesAppendedAfterAValidPrefixAreDetectedAndTruncatedOnOpen(
      @ForAll @IntRange(min = 1, max = 12) int batches,
      @ForAll @IntRange(min = 0, max = 40) int cutFromLastBatch,
      @ForAll @Size(min = 1, max = 400) byte[] garbage) throws IOException {
    Path dir = Files.createTempDirectory("onceflow-prop");
    try {
      Path seg;
      long validSize;
      int records = 0;
      try (Log log = Log.open(dir, OS)) {
        log.createTopic("t", TopicConfig.partitions(1));
        Producer p = log.producer();
        for (int i = 0; i < batches; i++) {
          p.sendBatch(TP, TestSupport.recs("b" + i + "-", 1 + i % 3));
          records += 1 + i % 3;
        }
      }
      try (Stream<Path> s = Files.list(dir.resolve("topics/t/0"))) {
        seg = s.max(Comparator.naturalOrder()).orElseThrow();
      }
      validSize = Files.size(seg);
      int lastBatchRecords = 1 + (batches - 1) % 3;
      boolean cut = cutFromLastBatch > 0;
      try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
        if (cut) {
          byte[] removed = new byte[cutFromLastBatch];
          raf.seek(validSize - cutFromLastBatch);
          raf.readFully(removed);
          // garbage that happens to start with exactly the removed bytes restores the batch: not a tear
          cut = garbage.length < removed.length
              || !java.util.Arrays.equals(removed, java.util.Arrays.copyOf(garbage, removed.length));
          raf.setLength(validSize - cutFromLastBatch); // a torn last batch, then garbage
        }
        raf.seek(raf.length());
        raf.write(garbage);
      }
      int expected = cut ? records - lastBatchRecords : records;
      try (Log log = Log.open(dir, OS)) {
        assertEquals(expected, log.endOffset(TP));
        List<LogRecord> all = TestSupport.readAll(log, Isolation.READ_UNCOMMITTED, TP);
        assertEquals(expected, all.size());
        if (!cut) {
          assertEquals(validSize, Files.size(seg));
        }
        assertEquals(expected, log.producer().send(TP, TestSupport.rec("after")));
      }
      try (Log log = Log.open(dir, OS)) {
        assertEquals(expected + 1, TestSupport.readAll(log, Isolation.READ_UNCOMMITTED, TP).size());
      }
    } finally {
      deleteTree(dir);
    }
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }

  @Property(tries = 60)
  void aDamagedBatchIsTruncatedOnlyWhenNothingValidFollowsIt(
      @ForAll @IntRange(min = 2, max = 10) int batches,
      @ForAll @IntRange(min = 0, max = 9) int damagedBatch,
      @ForAll @IntRange(min = 0, max = 10_000) int byteSeed,
      @ForAll @IntRange(min = 1, max = 255) int xor) throws IOException {
    int damaged = damagedBatch % batches;
    Path dir = Files.createTempDirectory("onceflow-prop");
    try {
      long[] ends = new long[batches + 1];
      int[] counts = new int[batches];
      Path seg;
      try (Log log = Log.open(dir, OS)) {
        log.createTopic("t", TopicConfig.partitions(1));
        Producer p = log.producer();
        try (Stream<Path> s = Files.list(dir.resolve("topics/t/0"))) {
          seg = s.findFirst().orElseThrow();
        }
        for (int i = 0; i < batches; i++) {
          counts[i] = 1 + i % 3;
          p.sendBatch(TP, TestSupport.recs("b" + i + "-", counts[i]));
          ends[i + 1] = Files.size(seg);
        }
      }
      long at = ends[damaged] + byteSeed % (ends[damaged + 1] - ends[damaged]);
      try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
        raf.seek(at);
        int b = raf.read();
        raf.seek(at);
        raf.write(b ^ xor);
      }
      long size = Files.size(seg);
      if (damaged < batches - 1) {
        CorruptLogException e = org.junit.jupiter.api.Assertions.assertThrows(CorruptLogException.class,
            () -> Log.open(dir, OS));
        org.junit.jupiter.api.Assertions.assertTrue(e.getMessage().contains("position " + ends[damaged]),
            e.getMessage());
        assertEquals(size, Files.size(seg), "acknowledged batches were truncated");
      } else {
        int before = 0;
        for (int i = 0; i < damaged; i++) {
          before += counts[i];
        }
        try (Log log = Log.open(dir, OS)) {
          assertEquals(before, log.endOffset(TP));
          assertEquals(ends[damaged], Files.size(seg));
        }
      }
    } finally {
      deleteTree(dir);
    }
  }
}
