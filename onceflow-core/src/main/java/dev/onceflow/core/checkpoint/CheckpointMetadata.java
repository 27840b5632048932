package dev.onceflow.core.checkpoint;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32C;

/**
 * The {@code _metadata} file of a completed checkpoint; it is written last and atomically, so a checkpoint directory
 * without it is incomplete and never used.
 *
 * <p>Format, big-endian: magic "OFCM" (int), version 1 (int), id (long), final flag (boolean), completion time in
 * epoch millis (long), job name (UTF), task count (int), per task: task key (UTF); then CRC32C (int).
 *
 * @param id checkpoint id
 * @param finalCheckpoint true for the final checkpoint of a finished bounded job
 * @param completedAtMillis completion time
 * @param jobName pipeline name
 * @param tasks task keys ({@code s<stage>-<subtask>}) whose state files belong to this checkpoint
 */
public record CheckpointMetadata(
    long id, boolean finalCheckpoint, long completedAtMillis, String jobName, List<String> tasks) {
  static final int MAGIC = 0x4F46434D;

  /** Serialises the metadata. */
  public byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeInt(MAGIC);
      out.writeInt(1);
      out.writeLong(id);
      out.writeBoolean(finalCheckpoint);
      out.writeLong(completedAtMillis);
      out.writeUTF(jobName);
      out.writeInt(tasks.size());
      for (String t : tasks) {
        out.writeUTF(t);
      }
      out.flush();
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException("in-memory write failed", e);
    }
  }

  /** Parses and verifies a metadata file. */
  public static CheckpointMetadata fromBytes(byte[] data, String what) throws IOException {
    if (data.length < 12) {
      throw new IOException(what + " is truncated");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - 4, 4).getInt()) {
      throw new IOException(what + " has a bad checksum");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data, 0, data.length - 4));
    if (in.readInt() != MAGIC || in.readInt() != 1) {
      throw new IOException(what + " is not checkpoint metadata version 1");
    }
    long id = in.readLong();
    boolean fin = in.readBoolean();
    long at = in.readLong();
    String job = in.readUTF();
    int n = in.readInt();
    List<String> tasks = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      tasks.add(in.readUTF());
    }
    return new CheckpointMetadata(id, fin, at, job, List.copyOf(tasks));
  }
}
