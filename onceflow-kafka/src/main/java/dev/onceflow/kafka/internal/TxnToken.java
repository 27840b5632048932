package dev.onceflow.kafka.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * What the checkpoint stores for one prepared Kafka transaction: enough for any later process to commit it (producer
 * id and epoch, and whether it runs under transaction protocol v2, where the epoch changes at every transaction end)
 * and to tell afterwards whether it was committed (the offset of its marker record). No secret is in it.
 *
 * <p>Format: version byte (1), transactional id (UTF), producer id (long), epoch (short), protocol v2 (boolean),
 * checkpoint id (long), marker topic (UTF), marker partition (int), marker offset (long), prepared at (epoch millis,
 * long), transaction timeout (millis, long).
 *
 * @param transactionalId the producer's transactional id
 * @param producerId the producer id the transaction was written with
 * @param epoch the producer epoch the transaction was written with
 * @param v2 written under transaction protocol v2
 * @param checkpointId the checkpoint whose barrier prepared it
 * @param markerTopic the topic of its marker record
 * @param markerPartition the partition of its marker record
 * @param markerOffset the offset of its marker record
 * @param preparedAtMillis when it was prepared (wall clock of the writer)
 * @param timeoutMillis its transaction.timeout.ms
 */
public record TxnToken(
    String transactionalId,
    long producerId,
    short epoch,
    boolean v2,
    long checkpointId,
    String markerTopic,
    int markerPartition,
    long markerOffset,
    long preparedAtMillis,
    long timeoutMillis) {
  private static final byte VERSION = 1;

  /** The token's bytes. */
  public byte[] toBytes() {
    try {
      ByteArrayOutputStream b = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(b);
      out.writeByte(VERSION);
      out.writeUTF(transactionalId);
      out.writeLong(producerId);
      out.writeShort(epoch);
      out.writeBoolean(v2);
      out.writeLong(checkpointId);
      out.writeUTF(markerTopic);
      out.writeInt(markerPartition);
      out.writeLong(markerOffset);
      out.writeLong(preparedAtMillis);
      out.writeLong(timeoutMillis);
      out.flush();
      return b.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The inverse of {@link #toBytes()}. */
  public static TxnToken fromBytes(byte[] bytes) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
      byte v = in.readByte();
      if (v != VERSION) {
        throw new IllegalArgumentException("Kafka transaction token of version " + v + " in the checkpoint; this "
            + "build reads version " + VERSION);
      }
      return new TxnToken(in.readUTF(), in.readLong(), in.readShort(), in.readBoolean(), in.readLong(), in.readUTF(),
          in.readInt(), in.readLong(), in.readLong(), in.readLong());
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt Kafka transaction token in the checkpoint", e);
    }
  }

  @Override
  public String toString() {
    return "transaction of checkpoint " + checkpointId + " (transactional id " + transactionalId + ", producer id "
        + producerId + ", epoch " + epoch + (v2 ? ", protocol v2" : ", protocol v1") + ")";
  }
}
