package dev.onceflow.core.checkpoint;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checkpoint directory. Layout:
 *
 * <pre>
 * &lt;dir&gt;/chk-&lt;id&gt;/_metadata          CheckpointMetadata with every subtask's TaskSnapshot embedded, written
 *                                    once all subtasks acknowledged, atomically: the checkpoint is complete
 * &lt;dir&gt;/chk-&lt;id&gt;/task-&lt;key&gt;.state   version 1 checkpoints only (still restored): one TaskSnapshot
 *                                    per subtask
 * &lt;dir&gt;/_next-id                     lower bound for the next checkpoint id (ids never repeat across processes):
 *                                    version (byte, 1), next id (long), CRC32C (int); 8-byte files of older
 *                                    versions (the bare long) are still read
 * &lt;dir&gt;/_history                     {@link JobHistory}: last guarantee, highest parallelism per sink
 * &lt;dir&gt;/_lock                        {@link CheckpointDirectoryLock}: the running job's pid, host, start time
 * &lt;dir&gt;/positions/                   at-most-once source positions (see PositionStore)
 * </pre>
 *
 * Only the newest {@code retain} completed checkpoints are kept; incomplete directories are deleted on open.
 */
public final class CheckpointStorage {
  private static final Logger LOG = LoggerFactory.getLogger(CheckpointStorage.class);
  private static final String METADATA = "_metadata";
  private static final String NEXT_ID = "_next-id";
  private static final int NEXT_ID_VERSION = 1;

  private final Path dir;
  private final int retain;
  private long nextId;
  /** Completed ids, oldest first: pruning needs no directory listing per checkpoint. Coordinator thread. */
  private final java.util.ArrayDeque<Long> completed = new java.util.ArrayDeque<>();

  /** Opens (creating if needed) a checkpoint directory, deleting incomplete checkpoints. */
  public CheckpointStorage(Path dir, int retain) throws IOException {
    if (retain < 1) {
      throw new IllegalArgumentException("retained checkpoints must be >= 1, was " + retain);
    }
    this.dir = dir;
    this.retain = retain;
    Files.createDirectories(dir);
    long maxSeen = 0;
    Path nextFile = dir.resolve(NEXT_ID);
    if (Files.exists(nextFile)) {
      maxSeen = Math.max(maxSeen, readNextId(Files.readAllBytes(nextFile), nextFile.toString()) - 1);
    }
    for (long id : ids()) {
      maxSeen = Math.max(maxSeen, id);
    }
    this.nextId = maxSeen + 1;
    writeNextId(nextId);
    for (long id : ids()) {
      if (!Files.exists(chkDir(id).resolve(METADATA))) {
        LOG.info("Deleting incomplete checkpoint {} in {}", id, dir);
        DurableFiles.deleteTree(chkDir(id));
      }
    }
    completed.addAll(completedIds());
  }

  /** The checkpoint directory. */
  public Path directory() {
    return dir;
  }

  /** Allocates the next checkpoint id and creates its directory. */
  public synchronized long newCheckpoint() throws IOException {
    long id = nextId++;
    Files.createDirectory(chkDir(id));
    return id;
  }

  /**
   * Makes the directory entry of the new checkpoint {@code id} durable (an fsync of the checkpoint directory). The
   * coordinator calls it right after the barriers were triggered, so this fsync overlaps the subtasks' snapshots
   * instead of adding to the completion; {@link #writeCompleted} does it itself if it was not done.
   */
  public synchronized void persistNewCheckpoint(long id) throws IOException {
    forceDirectory(dir);
    entryDurable = Math.max(entryDurable, id);
  }

  /** The highest checkpoint id whose {@code chk-<id>} entry {@link #persistNewCheckpoint} made durable. */
  private long entryDurable = -1;
  /** Directory fsyncs done (tests: the completion does only the one it needs). */
  private long directoryForces;

  /**
   * Completes a checkpoint ({@link #writeCompleted}) and prunes old ones ({@link #pruneCompleted}).
   *
   * @param snapshots task key to {@link TaskSnapshot#toBytes()}, for every task of {@code metadata}
   */
  public synchronized void complete(CheckpointMetadata metadata, Map<String, byte[]> snapshots)
      throws IOException {
    writeCompleted(metadata, snapshots);
    pruneCompleted();
  }

  /**
   * Completes a checkpoint: writes its metadata with every subtask's snapshot embedded atomically (temp file, fsync,
   * rename, fsync of the checkpoint's directory; and of the parent, which holds the {@code chk-<id>} entry, unless
   * {@link #persistNewCheckpoint} already did). One file per checkpoint keeps the fsyncs at two, however many subtasks
   * there are. Once this returns the checkpoint survives power loss and is what a restart restores.
   *
   * @param snapshots task key to {@link TaskSnapshot#toBytes()}, for every task of {@code metadata}
   */
  public synchronized void writeCompleted(CheckpointMetadata metadata, Map<String, byte[]> snapshots)
      throws IOException {
    Path d = chkDir(metadata.id());
    int size = 256;
    for (byte[] b : snapshots.values()) {
      size += b.length + 64;
    }
    SnapshotBuffer out = new SnapshotBuffer(size);
    metadata.writeTo(out, snapshots);
    Path file = d.resolve(METADATA);
    Path tmp = file.resolveSibling(METADATA + ".tmp");
    DurableFiles.writeAndForce(tmp, out.array(), out.size());
    try {
      Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (java.nio.file.AtomicMoveNotSupportedException e) {
      throw new IOException("the file system of " + file + " cannot rename atomically; use a local disk", e);
    }
    forceDirectory(d);
    if (entryDurable < metadata.id()) {
      forceDirectory(dir);
    }
    completed.addLast(metadata.id());
  }

  /**
   * Deletes the completed checkpoints beyond the newest {@code retain}. Not needed for the newest one's durability, so
   * the coordinator calls it after the sinks committed, off the latency of the commit.
   */
  public synchronized void pruneCompleted() throws IOException {
    while (completed.size() > retain) {
      DurableFiles.deleteTree(chkDir(completed.peekFirst())); // removed only once deleted: a failure is retried
      completed.removeFirst();
    }
  }

  private void forceDirectory(Path d) throws IOException {
    directoryForces++;
    DurableFiles.forceDirectory(d);
  }

  synchronized long directoryForces() {
    return directoryForces;
  }

  /**
   * Deletes a failed or timed-out checkpoint; it is never used. First records durably that ids up to {@code id} are
   * spent: once its directory is gone nothing on disk shows the id was used, and a later process would hand it out
   * again (sinks may have prepared transactions under it).
   */
  public synchronized void discard(long id) throws IOException {
    writeNextId(Math.max(nextId, id + 1));
    DurableFiles.deleteTree(chkDir(id));
  }

  private void writeNextId(long next) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(13);
    b.put((byte) NEXT_ID_VERSION).putLong(next);
    CRC32C crc = new CRC32C();
    crc.update(b.array(), 0, 9);
    b.putInt((int) crc.getValue());
    DurableFiles.writeAtomically(dir.resolve(NEXT_ID), b.array());
  }

  static long readNextId(byte[] data, String what) throws IOException {
    if (data.length == 8) {
      return ByteBuffer.wrap(data).getLong(); // before the file had a version: the bare long
    }
    if (data.length == 0 || data[0] != NEXT_ID_VERSION) {
      throw new IOException(what + (data.length == 0 ? " is empty" : " has version " + (data[0] & 0xFF)
          + "; this Onceflow reads version " + NEXT_ID_VERSION + " (written by a newer Onceflow?)")
          + ". It only guards against reused checkpoint ids: if it is damaged, delete it (ids restart above the"
          + " newest chk-* directory)");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, 9);
    if (data.length != 13 || (int) crc.getValue() != ByteBuffer.wrap(data, 9, 4).getInt()) {
      throw new IOException(what + " is corrupt (" + data.length + " bytes, bad checksum). It only guards against"
          + " reused checkpoint ids: delete it (ids restart above the newest chk-* directory)");
    }
    return ByteBuffer.wrap(data, 1, 8).getLong();
  }

  /** Ids of the completed checkpoints on disk, oldest first. */
  public List<Long> completedIds() throws IOException {
    List<Long> out = new ArrayList<>();
    for (long id : ids()) {
      if (Files.exists(chkDir(id).resolve(METADATA))) {
        out.add(id);
      }
    }
    out.sort(null);
    return out;
  }

  /** Reads the newest completed checkpoint, if any. A corrupt completed checkpoint is an error, never skipped. */
  public Optional<CompletedCheckpoint> latest() throws IOException {
    List<Long> ids = completedIds();
    if (ids.isEmpty()) {
      return Optional.empty();
    }
    long id = ids.get(ids.size() - 1);
    Path d = chkDir(id);
    CheckpointMetadata.Parsed parsed =
        CheckpointMetadata.fromBytes(Files.readAllBytes(d.resolve(METADATA)), d.resolve(METADATA).toString());
    CheckpointMetadata meta = parsed.metadata();
    Map<String, TaskSnapshot> tasks = new HashMap<>();
    for (String key : meta.tasks()) {
      if (parsed.snapshots() != null) {
        String what = d.resolve(METADATA) + " (task " + key + ")";
        tasks.put(key, TaskSnapshot.fromBytes(parsed.snapshots().get(key), what));
      } else {
        Path f = d.resolve("task-" + key + ".state");
        tasks.put(key, TaskSnapshot.fromBytes(Files.readAllBytes(f), f.toString()));
      }
    }
    return Optional.of(new CompletedCheckpoint(meta, tasks));
  }

  private Path chkDir(long id) {
    return dir.resolve("chk-" + id);
  }

  private List<Long> ids() throws IOException {
    List<Long> out = new ArrayList<>();
    try (var s = Files.list(dir)) {
      for (Path p : s.toList()) {
        String n = p.getFileName().toString();
        if (n.startsWith("chk-") && Files.isDirectory(p)) {
          try {
            out.add(Long.parseLong(n.substring(4)));
          } catch (NumberFormatException ignored) {
            // not ours
          }
        }
      }
    }
    return out;
  }
}
