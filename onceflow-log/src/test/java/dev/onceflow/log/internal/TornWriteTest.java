package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.util.List;
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
  void aFlippedLengthFieldIsTruncatedOnOpen() throws IOException {
    Path seg = write(1 << 20).get(0);
    long batchSize = size(seg) / 10;
    flip(seg, batchSize * 8); // length of the 9th batch
    try (Log log = Log.open(dir)) {
      assertEquals(24, log.endOffset(tp));
      assertEquals(batchSize * 8, size(seg));
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
}
