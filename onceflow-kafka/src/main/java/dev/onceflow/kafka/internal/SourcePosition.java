package dev.onceflow.kafka.internal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * The checkpointed position of a Kafka source subtask: per partition the next offset to read and the bounded end
 * offset (-1 when unbounded). Format: version byte (1), partition count (int), per partition: topic (UTF), partition
 * (int), next offset (long), end offset (long).
 */
public final class SourcePosition {
  private static final byte VERSION = 1;

  private SourcePosition() {}

  /** {next, end} per partition, in insertion order. */
  public static byte[] encode(Map<TopicPartition, long[]> positions) {
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      DataOutputStream out = new DataOutputStream(bytes);
      out.writeByte(VERSION);
      out.writeInt(positions.size());
      for (var e : positions.entrySet()) {
        out.writeUTF(e.getKey().topic());
        out.writeInt(e.getKey().partition());
        out.writeLong(e.getValue()[0]);
        out.writeLong(e.getValue()[1]);
      }
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The inverse of {@link #encode}. */
  public static Map<TopicPartition, long[]> decode(byte[] b) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
      byte version = in.readByte();
      if (version != VERSION) {
        throw new IllegalArgumentException("KafkaSource position of version " + version + " in the checkpoint; this "
            + "build reads version " + VERSION + " (restore with the Onceflow version that wrote it)");
      }
      int n = in.readInt();
      Map<TopicPartition, long[]> m = new LinkedHashMap<>();
      for (int i = 0; i < n; i++) {
        TopicPartition tp = new TopicPartition(in.readUTF(), in.readInt());
        m.put(tp, new long[] {in.readLong(), in.readLong()});
      }
      return m;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt KafkaSource position in the checkpoint", e);
    }
  }
}
