package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PositionStoreTest {
  @TempDir Path dir;

  @Test
  void lastCommittedPositionSurvivesReopen() throws Exception {
    try (PositionStore s = new PositionStore(dir, "source-0")) {
      assertTrue(s.load().isEmpty());
      s.commit(new byte[] {1});
      s.commit(new byte[] {2});
      s.commit(new byte[] {3});
    }
    try (PositionStore s = new PositionStore(dir, "source-0")) {
      assertArrayEquals(new byte[] {3}, s.load().orElseThrow().position());
      s.commit(new byte[] {4});
      assertArrayEquals(new byte[] {4}, s.load().orElseThrow().position());
      assertFalse(s.load().orElseThrow().endOfInput());
      s.commit(new byte[] {5}, true);
    }
    try (PositionStore s = new PositionStore(dir, "source-0")) {
      assertArrayEquals(new byte[] {5}, s.load().orElseThrow().position());
      assertTrue(s.load().orElseThrow().endOfInput());
    }
  }

  @Test
  void aTornWriteFallsBackToThePreviousPosition() throws Exception {
    try (PositionStore s = new PositionStore(dir, "p")) {
      s.commit(new byte[] {1, 1});
      s.commit(new byte[] {2, 2}); // sequence 2 goes to slot a
    }
    Path slot = dir.resolve("p.a");
    byte[] b = Files.readAllBytes(slot);
    Files.write(slot, java.util.Arrays.copyOf(b, b.length - 3), StandardOpenOption.TRUNCATE_EXISTING);
    try (PositionStore s = new PositionStore(dir, "p")) {
      assertArrayEquals(new byte[] {1, 1}, s.load().orElseThrow().position());
    }
  }

  private static byte[] slot(long seq, int flags, byte[] position) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(16 + position.length + 4);
    b.putLong(seq).putInt(flags).putInt(position.length).put(position);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b.array(), 0, b.position());
    b.putInt((int) crc.getValue());
    return b.array();
  }

  @Test
  void slotsHaveAVersionOldOnesAreReadAndUnknownOnesRefused() throws Exception {
    try (PositionStore s = new PositionStore(dir, "v")) {
      s.commit(new byte[] {1}, true);
    }
    byte[] written = Files.readAllBytes(dir.resolve("v.b")); // sequence 1 goes to slot b
    org.junit.jupiter.api.Assertions.assertEquals(PositionStore.VERSION, written[8]);

    Files.write(dir.resolve("v.a"), slot(2, 1, new byte[] {7})); // version 0: written before slots had one
    try (PositionStore s = new PositionStore(dir, "v")) {
      assertArrayEquals(new byte[] {7}, s.load().orElseThrow().position());
      assertTrue(s.load().orElseThrow().endOfInput());
    }

    Files.write(dir.resolve("v.a"), slot(3, 9 << 24, new byte[] {8}));
    java.io.IOException e =
        org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class, () -> new PositionStore(dir, "v"));
    assertTrue(e.getMessage().contains("v.a") && e.getMessage().contains("version 9"), e.getMessage());
  }

  @Test
  void theWatermarkStateIsCommittedWithThePositionAndOldSlotsReadWithout() throws Exception {
    try (PositionStore s = new PositionStore(dir, "w")) {
      s.commit(new byte[] {7}); // the layout without watermark state, as written before it existed
      PositionStore.Committed old = s.load().orElseThrow();
      assertArrayEquals(new byte[] {7}, old.position());
      assertEquals(Long.MIN_VALUE, old.watermark());
      assertFalse(old.idle());
      s.commit(new byte[] {8, 9}, false, 12_345, true);
    }
    try (PositionStore s = new PositionStore(dir, "w")) {
      PositionStore.Committed c = s.load().orElseThrow();
      assertArrayEquals(new byte[] {8, 9}, c.position());
      assertEquals(12_345, c.watermark());
      assertTrue(c.idle());
      assertFalse(c.endOfInput());
      s.commit(new byte[0], true, Long.MAX_VALUE, false);
      c = s.load().orElseThrow();
      assertArrayEquals(new byte[0], c.position());
      assertEquals(Long.MAX_VALUE, c.watermark());
      assertTrue(c.endOfInput());
      assertFalse(c.idle());
    }
  }
}
