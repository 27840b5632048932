package dev.onceflow.core.checkpoint;

import dev.onceflow.core.Guarantee;
import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The {@code _metadata} file of a completed checkpoint; it is written last and atomically, so a checkpoint directory
 * without it is incomplete and never used.
 *
 * <p>Format, big-endian: magic "OFCM" (int), version (int), id (long), final flag (boolean), completion time in
 * epoch millis (long), job name (UTF), in version 3 only the guarantee's stable id ({@link Guarantee#id()}, byte),
 * task count (int), per task: task key (UTF) and, from version 2 on, the length (int) and bytes of that task's
 * {@link TaskSnapshot}; then CRC32C (int) of everything before.
 *
 * <p>Version 3 (written now) records the guarantee the snapshot was taken under, so a restore under a guarantee the
 * snapshot cannot serve is refused (see {@code RestorePlanner}). Version 2 (read only) embeds every subtask's snapshot
 * but no guarantee; version 1 (read only) lists the task keys whose snapshots are in {@code task-<key>.state} files
 * beside it. Both read with an unknown guarantee ({@code null}).
 *
 * @param id checkpoint id
 * @param finalCheckpoint true for the final checkpoint of a finished bounded job
 * @param completedAtMillis completion time
 * @param jobName pipeline name
 * @param guarantee guarantee the snapshot was taken under; null = unknown (read from a version 1 or 2 file)
 * @param tasks task keys ({@code s<stage>-<subtask>}) whose snapshots belong to this checkpoint
 */
public record CheckpointMetadata(
    long id, boolean finalCheckpoint, long completedAtMillis, String jobName, Guarantee guarantee,
    List<String> tasks) {
  static final int MAGIC = 0x4F46434D;
  static final int VERSION = 3;

  /**
   * A parsed {@code _metadata} file.
   *
   * @param metadata the metadata
   * @param snapshots task key to its snapshot file bytes (version 2 and 3), or null (version 1: separate task files)
   */
  public record Parsed(CheckpointMetadata metadata, Map<String, byte[]> snapshots) {}

  /**
   * Serialises the metadata with every task's snapshot embedded (version 3) into {@code out}.
   *
   * @param snapshots task key to {@link TaskSnapshot#toBytes()}; must hold every key of {@link #tasks()}
   */
  public void writeTo(SnapshotBuffer out, Map<String, byte[]> snapshots) throws IOException {
    out.writeInt(MAGIC);
    out.writeInt(VERSION);
    out.writeLong(id);
    out.writeBoolean(finalCheckpoint);
    out.writeLong(completedAtMillis);
    out.writeUTF(jobName);
    if (guarantee == null) {
      throw new IllegalArgumentException("checkpoint " + id + " has no guarantee; every new checkpoint records one");
    }
    out.writeByte(guarantee.id());
    out.writeInt(tasks.size());
    for (String t : tasks) {
      byte[] snapshot = snapshots.get(t);
      if (snapshot == null) {
        throw new IllegalArgumentException("checkpoint " + id + " has no snapshot of task " + t);
      }
      out.writeUTF(t);
      out.writeInt(snapshot.length);
      out.write(snapshot);
    }
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.size());
    out.writeInt((int) crc.getValue());
  }

  /** Parses and verifies a metadata file (version 1, 2 or 3). */
  public static Parsed fromBytes(byte[] data, String what) throws IOException {
    if (data.length < 12) {
      throw new IOException(what + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - 4, 4).getInt()) {
      throw new IOException(what + " has a bad checksum");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data, 0, data.length - 4));
    int version = in.readInt() == MAGIC ? in.readInt() : -1;
    if (version < 1 || version > VERSION) {
      throw new IOException(what + (version == -1 ? " is not checkpoint metadata (bad magic)"
          : " is checkpoint metadata version " + version + "; this Onceflow reads versions 1 to " + VERSION
              + " (written by a newer Onceflow? restore it with that version, or start fresh on a new directory)"));
    }
    long id = in.readLong();
    boolean fin = in.readBoolean();
    long at = in.readLong();
    String job = in.readUTF();
    Guarantee guarantee = null;
    if (version >= 3) {
      try {
        guarantee = Guarantee.fromId(in.readUnsignedByte());
      } catch (IllegalArgumentException e) {
        throw new IOException(what + ": " + e.getMessage(), e);
      }
    }
    int n = in.readInt();
    List<String> tasks = new ArrayList<>(n);
    Map<String, byte[]> snapshots = version == 1 ? null : new HashMap<>();
    for (int i = 0; i < n; i++) {
      String key = in.readUTF();
      tasks.add(key);
      if (snapshots != null) {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        snapshots.put(key, b);
      }
    }
    return new Parsed(new CheckpointMetadata(id, fin, at, job, guarantee, List.copyOf(tasks)), snapshots);
  }
}
