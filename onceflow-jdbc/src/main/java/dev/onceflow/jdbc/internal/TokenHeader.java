package dev.onceflow.jdbc.internal;

import java.io.DataInputStream;
import java.io.IOException;

/**
 * The start of every JDBC sink token: version byte, kind byte (1 = exactly-once rows, 2 = two-phase gid), the
 * subtask's key (pipeline, sink as length-prefixed UTF-8, subtask index), checkpoint id and writer epoch. What follows
 * is the kind's own.
 *
 * @param key the writer's subtask
 * @param checkpointId the checkpoint the token belongs to
 * @param epoch the writer's epoch
 */
record TokenHeader(SubtaskKey key, long checkpointId, long epoch) {
  /** Writes {@code version}, {@code kind} and this header. */
  void write(RowCodec.Out out, byte version, byte kind) throws IOException {
    out.writeByte(version);
    out.writeByte(kind);
    RowCodec.writeString(out, key.pipeline());
    RowCodec.writeString(out, key.sink());
    out.writeInt(key.subtask());
    out.writeLong(checkpointId);
    out.writeLong(epoch);
  }

  /**
   * Reads a header written with {@code version} and {@code kind}.
   *
   * @param what the sink kind, for the error ("an exactly-once JDBC sink token")
   * @throws IOException if the token has another version or kind
   */
  static TokenHeader read(DataInputStream in, byte version, byte kind, String what) throws IOException {
    byte v = in.readByte();
    byte k = in.readByte();
    if (v != version || k != kind) {
      throw new IOException("not " + what + " of version " + version + " (version " + v + ", kind " + k + ")");
    }
    SubtaskKey key = new SubtaskKey(RowCodec.readString(in), RowCodec.readString(in), in.readInt());
    return new TokenHeader(key, in.readLong(), in.readLong());
  }
}
