package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
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
    s.complete(new CheckpointMetadata(id, false, 1L, "job", Guarantee.EXACTLY_ONCE, List.of("s0-0")),
        Map.of("s0-0", new TaskSnapshot(Map.of("x", data)).toBytes()));
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
  void aCheckpointWhoseEntryWasPersistedAtTriggerCompletesWithOneDirectoryFsyncAndWithoutItWithTwo()
      throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 1);
    long first = s.newCheckpoint();
    s.persistNewCheckpoint(first); // at trigger time, while the barriers travel
    long before = s.directoryForces();
    s.writeCompleted(new CheckpointMetadata(first, false, 1L, "job", Guarantee.EXACTLY_ONCE, List.of("s0-0")),
        Map.of("s0-0", new TaskSnapshot(Map.of("x", new byte[] {1})).toBytes()));
    assertEquals(1, s.directoryForces() - before, "only chk-" + first + " (the rename); its entry is durable");

    long second = s.newCheckpoint(); // not persisted: the completion must force the parent itself
    before = s.directoryForces();
    s.writeCompleted(new CheckpointMetadata(second, false, 1L, "job", Guarantee.EXACTLY_ONCE, List.of("s0-0")),
        Map.of("s0-0", new TaskSnapshot(Map.of("x", new byte[] {2})).toBytes()));
    assertEquals(2, s.directoryForces() - before, "chk-" + second + " and its parent");

    assertEquals(List.of(first, second), s.completedIds(), "pruning waits for pruneCompleted");
    s.pruneCompleted();
    assertEquals(List.of(second), s.completedIds());
    assertArrayEquals(new byte[] {2}, new CheckpointStorage(dir, 1).latest().orElseThrow().task("s0-0").sections()
        .get("x"));
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
    Files.write(dir.resolve("chk-" + id).resolve("_metadata.tmp"), new byte[] {1, 2}); // crashed mid-completion
    assertEquals(1, s.latest().orElseThrow().id());
    new CheckpointStorage(dir, 3);
    assertFalse(Files.exists(dir.resolve("chk-" + id)), "incomplete checkpoint deleted on open");
  }

  @Test
  void aCorruptCompletedCheckpointIsAnErrorNotSkipped() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    completeOne(s, new byte[] {1, 2, 3, 4});
    Path f = dir.resolve("chk-1").resolve("_metadata");
    byte[] b = Files.readAllBytes(f);
    b[b.length / 2] ^= 0x40;
    Files.write(f, b);
    IOException e = assertThrows(IOException.class, s::latest);
    assertTrue(e.getMessage().contains("checksum"), e.getMessage());
  }

  @Test
  void allTasksOfACheckpointAreInItsOneMetadataFile() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    long id = s.newCheckpoint();
    s.complete(new CheckpointMetadata(id, true, 1L, "job", Guarantee.EXACTLY_ONCE,
            List.of("s0-0", "s1-0")),
        Map.of("s0-0", new TaskSnapshot(Map.of("a", new byte[] {1})).toBytes(),
            "s1-0", new TaskSnapshot(Map.of("b", new byte[] {2, 3})).toBytes()));
    try (var files = Files.list(dir.resolve("chk-" + id))) {
      assertEquals(List.of("_metadata"), files.map(p -> p.getFileName().toString()).toList());
    }
    CompletedCheckpoint c = s.latest().orElseThrow();
    assertTrue(c.metadata().finalCheckpoint());
    assertArrayEquals(new byte[] {1}, c.task("s0-0").sections().get("a"));
    assertArrayEquals(new byte[] {2, 3}, c.task("s1-0").sections().get("b"));
  }

  @Test
  void aVersion1CheckpointWithSeparateTaskFilesIsStillRestored() throws IOException {
    Path d = Files.createDirectories(dir.resolve("chk-7"));
    Files.write(d.resolve("task-s0-0.state"), new TaskSnapshot(Map.of("x", new byte[] {5})).toBytes());
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.writeInt(CheckpointMetadata.MAGIC);
    out.writeInt(1);
    out.writeLong(7);
    out.writeBoolean(false);
    out.writeLong(1L);
    out.writeUTF("job");
    out.writeInt(1);
    out.writeUTF("s0-0");
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    Files.write(d.resolve("_metadata"), bytes.toByteArray());
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    assertArrayEquals(new byte[] {5}, s.latest().orElseThrow().task("s0-0").sections().get("x"));
    assertEquals(8, s.newCheckpoint());
  }

  /** Issue 9: a discarded checkpoint left nothing on disk that showed its id was used, so the next process reused it. */
  @Test
  void aDiscardedCheckpointsIdIsNotReusedByTheNextProcess() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    completeOne(s, new byte[] {1});
    long discarded = s.newCheckpoint();
    s.discard(discarded); // e.g. timed out; then the process dies
    assertFalse(Files.exists(dir.resolve("chk-" + discarded)));
    assertTrue(new CheckpointStorage(dir, 3).newCheckpoint() > discarded);
  }

  @Test
  void nextIdFileHasAVersionAndTheOldBareLongIsStillRead() throws IOException {
    new CheckpointStorage(dir, 3);
    byte[] b = Files.readAllBytes(dir.resolve("_next-id"));
    assertEquals(13, b.length);
    assertEquals(1, b[0]);
    Files.write(dir.resolve("_next-id"), java.nio.ByteBuffer.allocate(8).putLong(42).array()); // older version
    assertEquals(42, new CheckpointStorage(dir, 3).newCheckpoint());
    byte[] future = Files.readAllBytes(dir.resolve("_next-id"));
    future[0] = 9;
    Files.write(dir.resolve("_next-id"), future);
    IOException e = assertThrows(IOException.class, () -> new CheckpointStorage(dir, 3));
    assertTrue(e.getMessage().contains("version 9"), e.getMessage());
  }

  @Test
  void theGuaranteeIsRecordedAndAVersion2CheckpointReadsAsUnknown() throws IOException {
    CheckpointStorage s = new CheckpointStorage(dir, 3);
    long id = s.newCheckpoint();
    s.complete(new CheckpointMetadata(id, false, 1L, "job", Guarantee.AT_LEAST_ONCE, List.of("s0-0")),
        Map.of("s0-0", new TaskSnapshot(Map.of()).toBytes()));
    assertEquals(Guarantee.AT_LEAST_ONCE, s.latest().orElseThrow().metadata().guarantee());

    byte[] snapshot = new TaskSnapshot(Map.of("x", new byte[] {6})).toBytes();
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    java.io.DataOutputStream out = new java.io.DataOutputStream(bytes);
    out.writeInt(CheckpointMetadata.MAGIC);
    out.writeInt(2);
    out.writeLong(9);
    out.writeBoolean(false);
    out.writeLong(1L);
    out.writeUTF("job");
    out.writeInt(1);
    out.writeUTF("s0-0");
    out.writeInt(snapshot.length);
    out.write(snapshot);
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    Files.write(Files.createDirectories(dir.resolve("chk-9")).resolve("_metadata"), bytes.toByteArray());
    CompletedCheckpoint v2 = new CheckpointStorage(dir, 3).latest().orElseThrow();
    assertEquals(9, v2.id());
    assertEquals(null, v2.metadata().guarantee());
    assertArrayEquals(new byte[] {6}, v2.task("s0-0").sections().get("x"));
  }

  @Test
  void jobHistoryRoundTripsKeepsTheHighestParallelismAndRefusesUnknownVersions() throws IOException {
    JobHistory h = new JobHistory(Guarantee.EXACTLY_ONCE, Map.of()).started(Guarantee.EXACTLY_ONCE, "sink", 4)
        .started(Guarantee.AT_LEAST_ONCE, "sink", 2);
    assertEquals(4, h.sinkParallelism("sink"));
    assertEquals(Guarantee.AT_LEAST_ONCE, h.lastGuarantee());
    h.write(dir);
    assertEquals(h, JobHistory.read(dir).orElseThrow());
    byte[] b = Files.readAllBytes(dir.resolve(JobHistory.FILE));
    b[4] = 7; // version
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    crc.update(b, 0, b.length - 4);
    java.nio.ByteBuffer.wrap(b, b.length - 4, 4).putInt((int) crc.getValue());
    Files.write(dir.resolve(JobHistory.FILE), b);
    IOException e = assertThrows(IOException.class, () -> JobHistory.read(dir));
    assertTrue(e.getMessage().contains("version 7"), e.getMessage());
  }
}
