package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.FsyncPolicy;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import dev.onceflow.log.Producer;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TornWriteTest {
  @TempDir Path dir;
  final TopicPartition tp = new TopicPartition("t", 0);

  /** Writes 10 batches of 3 records; returns the segment files. */
  List<Path> write(int segmentBytes) throws IOException {
    try (Log log = Log.open(dir, LogConfig.builder().fsyncPolicy(FsyncPolicy.OS).build())) {
      log.createTopic("t", TopicConfig.builder().partitions(1).segmentBytes(segmentBytes).build());
      Producer p = log.producer();
      for (int i = 0; i < 10; i++) {
        p.sendBatch(tp, IdempotentProducerTest.batch("v" + i + "-", 3));
      }
    }
    try (Stream<Path> s = Files.list(dir.resolve("topics/t/0"))) {
      return s.sorted().toList();
    }
  }

  static long size(Path f) throws IOException {
    return Files.size(f);
  }

  static void flip(Path f, long pos) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
      raf.seek(pos);
      int b = raf.read();
      raf.seek(pos);
      raf.write(b ^ 0x5A);
    }
  }

  @Test
  void aShortWriteAtTheTailIsTruncatedOnOpen() throws IOException {
    Path seg = write(1 << 20).get(0);
    long full = size(seg);
    long batchSize = full / 10;
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.setLength(full - 7); // the last batch lost its last 7 bytes
    }
    try (Log log = Log.open(dir)) {
      assertEquals(27, log.endOffset(tp));
      assertEquals(27, IdempotentProducerTest.count(log, tp));
      assertEquals(full - batchSize, size(seg));
      assertEquals(27, log.producer().send(tp, IdempotentProducerTest.batch("new", 1).get(0)));
    }
    try (Log log = Log.open(dir)) {
      assertEquals(28, IdempotentProducerTest.count(log, tp));
    }
  }

  @Test
  void aFlippedByteInTheLastBatchIsTruncatedOnOpen() throws IOException {
    Path seg = write(1 << 20).get(0);
    long full = size(seg);
    flip(seg, full - 3);
    try (Log log = Log.open(dir)) {
      assertEquals(27, log.endOffset(tp));
      assertEquals(27, IdempotentProducerTest.count(log, tp));
    }
  }

  @Test
  void aFlippedLengthFieldOfTheLastBatchIsTruncatedOnOpen() throws IOException {
    Path seg = write(1 << 20).get(0);
    long batchSize = size(seg) / 10;
    flip(seg, batchSize * 9); // length of the 10th (last) batch: nothing valid follows, so a torn write
    try (Log log = Log.open(dir)) {
      assertEquals(27, log.endOffset(tp));
      assertEquals(batchSize * 9, size(seg));
    }
  }

  @Test
  void corruptionInTheMiddleOfASealedSegmentIsReportedWithFileAndPosition() throws IOException {
    List<Path> segs = write(1024); // two segments
    assertTrue(segs.size() >= 2, "segments: " + segs);
    Path sealed = segs.get(0);
    flip(sealed, 30); // inside the first batch's header, after the CRC
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> Log.open(dir));
    assertTrue(e.getMessage().contains(sealed.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("position 0"), e.getMessage());
    // nothing was truncated or deleted, and the lock was released
    assertEquals(segs, Files.list(dir.resolve("topics/t/0")).sorted().toList());
    assertThrows(CorruptLogException.class, () -> Log.open(dir));
  }

  @Test
  void corruptionFoundWhileReadingIsAnExceptionNotData() throws IOException {
    List<Path> segs = write(1024);
    try (Log log = Log.open(dir)) {
      flip(segs.get(0), 60); // inside the first record, after the log was opened and validated
      try (dev.onceflow.log.Consumer c = log.consumer(dev.onceflow.log.ConsumerConfig.readUncommitted())) {
        c.assign(List.of(tp));
        CorruptLogException e = assertThrows(CorruptLogException.class, () -> c.poll(100));
        assertTrue(e.getMessage().contains(segs.get(0).toString()) && e.getMessage().contains("position 0"),
            e.getMessage());
      }
    }
  }

  // ---- defect 7: damage with valid batches after it is corruption, never a torn tail ----

  @Test
  void aFlippedByteFollowedByValidBatchesInTheActiveSegmentRefusesToOpenAndTruncatesNothing() throws IOException {
    Path seg = write(1 << 20).get(0);
    long full = size(seg);
    long batchSize = full / 10;
    flip(seg, batchSize * 2 + 60); // inside the third batch's records; seven valid batches follow
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> Log.open(dir));
    assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
    assertTrue(e.getMessage().contains("position " + batchSize * 2), e.getMessage());
    assertTrue(e.getMessage().contains("valid batch at byte position " + batchSize * 3), e.getMessage());
    assertEquals(full, size(seg), "acknowledged batches after the damage were truncated");
    // also refused (and nothing changed) by a read-only open, e.g. `onceflow log dump`
    assertThrows(CorruptLogException.class, () -> Log.open(dir, LogConfig.builder().readOnly(true).build()));
    assertEquals(full, size(seg));
  }

  @Test
  void aCorruptLengthFollowedByValidBatchesRefusesToOpen() throws IOException {
    Path seg = write(1 << 20).get(0);
    long full = size(seg);
    long batchSize = full / 10;
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(batchSize * 4);
      raf.writeInt(1_000_000); // past the end of the file, under the cap
    }
    CorruptLogException e = assertThrows(CorruptLogException.class, () -> Log.open(dir));
    assertTrue(e.getMessage().contains("position " + batchSize * 4), e.getMessage());
    assertEquals(full, size(seg));
  }

  @Test
  void aReadOnlyOpenIgnoresATornTailWithoutTruncatingItAndRefusesWrites() throws IOException {
    Path seg = write(1 << 20).get(0);
    long full = size(seg);
    try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
      raf.setLength(full - 7);
    }
    Path coordinator = dir.resolve("meta").resolve(Coordinator.FILE);
    long coordinatorSize = size(coordinator);
    try (RandomAccessFile raf = new RandomAccessFile(coordinator.toFile(), "rw")) {
      raf.seek(coordinatorSize);
      raf.write(new byte[] {0, 0, 0, 40, 1, 2}); // a torn coordinator entry too
    }
    Map<Path, Long> before = sizesAndTimes();
    try (Log log = Log.open(dir, LogConfig.builder().readOnly(true).build())) {
      assertEquals(27, log.endOffset(tp));
      assertEquals(27, IdempotentProducerTest.count(log, tp));
      assertThrows(UnsupportedOperationException.class, log::producer);
      assertThrows(UnsupportedOperationException.class, () -> log.createTopic("u", TopicConfig.partitions(1)));
      assertThrows(UnsupportedOperationException.class, () -> log.commitOffsets("g", Map.of(tp, 1L)));
      // a writer cannot take the directory while it is being inspected
      assertThrows(dev.onceflow.log.LogLockedException.class, () -> Log.open(dir));
    }
    assertEquals(before, sizesAndTimes(), "a read-only open modified files");
    try (Log log = Log.open(dir)) { // a writer still truncates the genuinely torn tails
      assertEquals(27, log.endOffset(tp));
      assertEquals(full - full / 10, size(seg));
      assertEquals(coordinatorSize, size(coordinator));
    }
  }

  private Map<Path, Long> sizesAndTimes() throws IOException {
    Map<Path, Long> m = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.toList()) {
        m.put(p, Files.isDirectory(p) ? -1 : size(p) * 1_000_003 + Files.getLastModifiedTime(p).toMillis());
      }
    }
    return m;
  }

  // ---- defect 5: a reader never spins on a corrupt length ----

  @Test
  void aCorruptLengthPastTheEndOfTheActiveSegmentIsAnExceptionNotASpin() throws IOException {
    Path seg = write(1 << 20).get(0);
    long batchSize = size(seg) / 10;
    try (Log log = Log.open(dir)) {
      try (RandomAccessFile raf = new RandomAccessFile(seg.toFile(), "rw")) {
        raf.seek(batchSize * 9);
        raf.writeInt(1_000_000); // the last batch, after the log validated it on open
      }
      try (dev.onceflow.log.Consumer c = log.consumer(dev.onceflow.log.ConsumerConfig.readUncommitted())) {
        c.assign(List.of(tp));
        List<dev.onceflow.log.LogRecord> got = new java.util.ArrayList<>();
        CorruptLogException e = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
          while (true) {
            try {
              got.addAll(c.poll(1000, Duration.ofMillis(50)));
            } catch (CorruptLogException ex) {
              return ex;
            }
          }
        });
        assertEquals(27, got.size(), "the valid records before the corrupt batch are delivered first");
        assertTrue(e.getMessage().contains(seg.toString()), e.getMessage());
        assertTrue(e.getMessage().contains("position " + batchSize * 9), e.getMessage());
        assertTrue(e.getMessage().contains("bad length 1000000"), e.getMessage());
      }
    }
  }

  // ---- durability of sealed segments and of retention ----

  @Test
  void reopeningUnderEveryAppendForcesSegmentsSealedUnderOs() throws IOException {
    List<Path> segs = write(1024); // written and sealed under OS: never forced
    assertTrue(segs.size() >= 2, "segments: " + segs);
    try (Log log = Log.open(dir)) {
      assertEquals(segs.size() - 1, ((LogImpl) log).context().sealForces.get());
    }
  }
}
