package dev.onceflow.log;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.CRC32C;

/**
 * A token naming one PREPARED transaction, returned by {@link TransactionalProducer#prepare()}. Small and
 * serialisable ({@link #toBytes()}), so a dataflow runtime can store it in a checkpoint and decide it later, from
 * any process, with {@link Log#commitPrepared} or {@link Log#abortPrepared}. The pair (producerId,
 * transactionSequence) identifies exactly one transaction: a token never applies to a later transaction of the same
 * transactional id.
 *
 * @param transactionalId the producer's transactional id
 * @param producerId the producer id of that transactional id
 * @param epoch the producer epoch when prepared (informative; later epochs may still decide it)
 * @param transactionSequence the transaction's sequence number within the transactional id (increasing)
 * @param partitions the partitions the transaction wrote to
 */
public record PreparedTransaction(
    String transactionalId, long producerId, short epoch, long transactionSequence, Set<TopicPartition> partitions) {

  private static final byte VERSION = 1;

  /** Validates and copies the fields. */
  public PreparedTransaction {
    Objects.requireNonNull(transactionalId, "transactionalId");
    partitions = Set.copyOf(partitions);
  }

  /** A stable binary form (version byte, fields, CRC32C) for storing in checkpoints. */
  public byte[] toBytes() {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeUTF(transactionalId);
      out.writeLong(producerId);
      out.writeShort(epoch);
      out.writeLong(transactionSequence);
      Set<TopicPartition> sorted = new TreeSet<>(partitions);
      out.writeInt(sorted.size());
      for (TopicPartition tp : sorted) {
        out.writeUTF(tp.topic());
        out.writeInt(tp.partition());
      }
      CRC32C crc = new CRC32C();
      crc.update(bytes.toByteArray());
      out.writeInt((int) crc.getValue());
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses {@link #toBytes()} output.
   *
   * @throws IllegalArgumentException if the bytes are not a valid token (wrong version, truncated or bad checksum)
   */
  public static PreparedTransaction fromBytes(byte[] bytes) {
    Objects.requireNonNull(bytes, "bytes");
    if (bytes.length < 5) {
      throw new IllegalArgumentException("not a PreparedTransaction token: only " + bytes.length + " bytes");
    }
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - 4);
    int stored = ((bytes[bytes.length - 4] & 0xff) << 24) | ((bytes[bytes.length - 3] & 0xff) << 16)
        | ((bytes[bytes.length - 2] & 0xff) << 8) | (bytes[bytes.length - 1] & 0xff);
    if ((int) crc.getValue() != stored) {
      throw new IllegalArgumentException("not a PreparedTransaction token: checksum mismatch");
    }
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 4));
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("PreparedTransaction token version " + version + " is not supported");
      }
      String id = in.readUTF();
      long pid = in.readLong();
      short epoch = in.readShort();
      long seq = in.readLong();
      int n = in.readInt();
      Set<TopicPartition> tps = new TreeSet<>();
      for (int i = 0; i < n; i++) {
        tps.add(new TopicPartition(in.readUTF(), in.readInt()));
      }
      return new PreparedTransaction(id, pid, epoch, seq, tps);
    } catch (IOException e) {
      throw new IllegalArgumentException("not a PreparedTransaction token: " + e, e);
    }
  }
}
