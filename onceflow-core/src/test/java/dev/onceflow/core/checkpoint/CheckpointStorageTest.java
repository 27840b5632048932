package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointStorageTest {
  @TempDir Path dir;

  private static void completeOne(CheckpointStorage s, byte[] data) throws IOException {
    long id = s.newCheckpoint();
    s.writeTask(id, "s0-0", new TaskSnapshot(Map.of("x", data)));
    s.complete(new CheckpointMetadata(id, false, 1L, "job", List.of("s0-0")));
  }

  @Test
  void completedCheckpointRoundTrips() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    completeOne(s, new byte[] {1, 2, 3});
    CompletedCheckpoint c = s.latest().orElseThrow();
    assertEquals(1, c.id());
    assertArrayEquals(new byte[] {1, 2, 3}, c.task("s0-0").sections().get("x"));
  }

  @Test
  void idsStayMonotonicAcrossReopenEvenWhenIncompleteCheckpointsAreDeleted() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    completeOne(s, new byte[] {1});
    long incomplete = s.newCheckpoint(); // crash before completion
    CheckpointStorage reopened = new CheckpointStorage(dir, 3);
    assertFalse(Files.exists(dir.resolve("chk-" + incomplete)), "incomplete checkpoint deleted on open");
    CheckpointStorage again = new CheckpointStorage(dir, 3);
    assertTrue(again.newCheckpoint() > incomplete);
    assertEquals(1, reopened.latest().orElseThrow().id());
  }

  @Test
  void onlyTheNewestRetainedCheckpointsAreKept() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 2);
    for (int i = 0; i < 5; i++) {
      completeOne(s, new byte[] {(byte) i});
    }
    assertEquals(List.of(4L, 5L), s.completedIds());
    assertArrayEquals(new byte[] {4}, s.latest().orElseThrow().task("s0-0").sections().get("x"));
  }

  @Test
  void aCheckpointWithoutMetadataIsNeverUsed() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    completeOne(s, new byte[] {1});
    long id = s.newCheckpoint();
    s.writeTask(id, "s0-0", new TaskSnapshot(Map.of("x", new byte[] {9})));
    assertEquals(1, s.latest().orElseThrow().id());
  }

  @Test
  void aCorruptTaskFileOfACompletedCheckpointIsAnErrorNotSkipped() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    completeOne(s, new byte[] {1, 2, 3, 4});
    Path f = dir.resolve("chk-1").resolve("task-s0-0.state");
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x40;
    Files.write(f, b);
    IOException e = assertThrows(IOException.class, s::latest);
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }
}
