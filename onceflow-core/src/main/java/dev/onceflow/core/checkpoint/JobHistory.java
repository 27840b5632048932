package dev.onceflow.core.checkpoint;

import dev.onceflow.core.Guarantee;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.zip.CRC32C;

/**
 * What has ever run on a checkpoint directory, independent of which checkpoints survived: the guarantee of the last
 * job started on it and, per sink name, the highest parallelism any job ever started that sink with. It is written
 * durably before any sink writer exists, so recovery can resolve the transactions of every subtask index that ever
 * wrote (lowering the parallelism, or a crash before the first checkpoint completed, would otherwise leave those of
 * the missing indexes PREPARED forever), and a guarantee switch is seen even when the run under the other guarantee
 * completed no checkpoint.
 *
 * <p>File {@code <dir>/_history}, big-endian: magic "OFJH" (int), version (byte, 1), guarantee id of the last started
 * job ({@link Guarantee#id()}, byte), sink count (int), per sink: name (modified UTF-8), highest parallelism (int);
 * then CRC32C (int) of everything before. Replaced atomically (temp file, fsync, rename, directory fsync).
 *
 * @param lastGuarantee guarantee of the last job started on the directory
 * @param sinkParallelism sink name to the highest parallelism it was ever started with
 */
public record JobHistory(Guarantee lastGuarantee, Map<String, Integer> sinkParallelism) {
  static final String FILE = "_history";
  static final int MAGIC = 0x4F464A48;
  static final int VERSION = 1;

  /** Copies the map (sorted, so the file is the same for the same history). */
  public JobHistory {
    sinkParallelism = java.util.Collections.unmodifiableMap(new TreeMap<>(sinkParallelism));
  }

  /** The highest parallelism {@code sinkName} was ever started with, 0 if never. */
  public int sinkParallelism(String sinkName) {
    return sinkParallelism.getOrDefault(sinkName, 0);
  }

  /** This history after a job with {@code guarantee} started {@code sinkName} (null: none) with {@code parallelism}. */
  public JobHistory started(Guarantee guarantee, String sinkName, int parallelism) {
    Map<String, Integer> sinks = new TreeMap<>(sinkParallelism);
    if (sinkName != null) {
      sinks.merge(sinkName, parallelism, Math::max);
    }
    return new JobHistory(guarantee, sinks);
  }

  /** Reads the history of {@code dir}; empty if no job recorded one (a new directory or one of an older version). */
  public static Optional<JobHistory> read(Path dir) throws IOException {
    Path file = dir.resolve(FILE);
    if (!Files.exists(file)) {
      return Optional.empty();
    }
    return Optional.of(fromBytes(Files.readAllBytes(file), file.toString()));
  }

  /** Writes this history to {@code dir} durably; returns once it is on disk. */
  public void write(Path dir) throws IOException {
    DurableFiles.writeAtomically(dir.resolve(FILE), toBytes());
  }

  byte[] toBytes() throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    DataOutputStream out = new DataOutputStream(bytes);
    out.writeInt(MAGIC);
    out.writeByte(VERSION);
    out.writeByte(lastGuarantee.id());
    out.writeInt(sinkParallelism.size());
    for (var e : sinkParallelism.entrySet()) {
      out.writeUTF(e.getKey());
      out.writeInt(e.getValue());
    }
    out.flush();
    CRC32C crc = new CRC32C();
    crc.update(bytes.toByteArray());
    out.writeInt((int) crc.getValue());
    out.flush();
    return bytes.toByteArray();
  }

  static JobHistory fromBytes(byte[] data, String what) throws IOException {
    if (data.length < 14) {
      throw new IOException(what + " is truncated (" + data.length + " bytes); it is written atomically, so it was"
          + " damaged after the fact: restore it from a backup, or start fresh on a new checkpoint directory");
    }
    CRC32C crc = new CRC32C();
    crc.update(data, 0, data.length - 4);
    if ((int) crc.getValue() != ByteBuffer.wrap(data, data.length - 4, 4).getInt()) {
      throw new IOException(what + " has a bad checksum: the job history is corrupt; restore it from a backup, or"
          + " start fresh on a new checkpoint directory");
    }
    DataInputStream in = new DataInputStream(new java.io.ByteArrayInputStream(data, 0, data.length - 4));
    if (in.readInt() != MAGIC) {
      throw new IOException(what + " is not a job history file (bad magic)");
    }
    int version = in.readUnsignedByte();
    if (version != VERSION) {
      throw new IOException(what + " has job history version " + version + "; this Onceflow reads version "
          + VERSION + " only (written by a newer Onceflow? run that version on this directory)");
    }
    Guarantee g;
    try {
      g = Guarantee.fromId(in.readUnsignedByte());
    } catch (IllegalArgumentException e) {
      throw new IOException(what + ": " + e.getMessage(), e);
    }
    int n = in.readInt();
    Map<String, Integer> sinks = new TreeMap<>();
    for (int i = 0; i < n; i++) {
      sinks.put(in.readUTF(), in.readInt());
    }
    return new JobHistory(g, sinks);
  }
}
