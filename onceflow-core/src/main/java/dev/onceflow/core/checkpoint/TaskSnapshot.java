package dev.onceflow.core.checkpoint;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32C;

/**
 * The state of one subtask in one checkpoint: named sections (source position, keyed state and timers of each
 * operator, pending sink transactions), each an opaque byte array owned by the component that wrote it.
 *
 * <p>File format ({@code task-<stage>-<subtask>.state}), big-endian: magic "OFTS" (int), version 1 (int), section
 * count (int), per section: name (modified UTF-8), length (int), bytes; then CRC32C (int) of everything before.
 *
 * @param sections section name to bytes
 */
public record TaskSnapshot(Map<String, byte[]> sections) {
  static final int MAGIC = 0x4F465453;

  /** Serialises this snapshot in the file format above. */
  public byte[] toBytes() {
    int capacity = 16;
    for (var e : sections.entrySet()) {
      capacity += e.getKey().length() * 3 + 6 + e.getValue().length;
    }
    SnapshotBuffer out = new SnapshotBuffer(capacity);
    out.writeInt(MAGIC);
    out.writeInt(1);
    out.writeInt(sections.size());
    for (var e : sections.entrySet()) {
      out.writeUtfUnchecked(e.getKey());
      out.writeInt(e.getValue().length);
      out.write(e.getValue());
    }
    CRC32C crc = new CRC32C();
    crc.update(out.array(), 0, out.size());
    out.writeInt((int) crc.getValue());
    return out.toByteArray();
  }

  /** Parses a snapshot file, verifying the checksum. */
  public static TaskSnapshot fromBytes(byte[] data, String what) throws IOException {
    if (data.length < 16) {
      throw new IOException(what + " is truncated (" + data.length + " bytes)");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    int stored = ByteBuffer.wrap(data, data.length - 4, 4).getInt();
    if ((int) crc.getValue() != stored) {
      throw new IOException(what + " has a bad checksum: the checkpoint is corrupt");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data, 0, data.length - 4));
    if (in.readInt() != MAGIC) {
      throw new IOException(what + " is not a task snapshot (bad magic)");
    }
    int version = in.readInt();
    if (version != 1) {
      throw new IOException(what + " has unsupported version " + version);
    }
    int n = in.readInt();
    Map<String, byte[]> sections = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      String name = in.readUTF();
      byte[] b = new byte[in.readInt()];
      in.readFully(b);
      sections.put(name, b);
    }
    return new TaskSnapshot(sections);
  }
}
