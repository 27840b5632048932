package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.io.ByteArrayOutputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

class SnapshotBufferTest {
  /** Checkpoints written with SnapshotBuffer must read back with DataInputStream exactly as before. */
  @Property(tries = 200)
  void writesTheSameBytesAsDataOutputStream(
      @ForAll List<Long> longs, @ForAll List<Integer> ints, @ForAll List<String> strings, @ForAll byte[] raw,
      @ForAll double d, @ForAll boolean b, @ForAll short sh) throws IOException {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    DataOutputStream reference = new DataOutputStream(expected);
    SnapshotBuffer actual = new SnapshotBuffer(1); // tiny: growth is exercised
    for (DataOutput out : List.<DataOutput>of(reference, actual)) {
      for (long l : longs) {
        out.writeLong(l);
      }
      for (int i : ints) {
        out.writeInt(i);
        out.writeByte(i);
        out.write(i);
      }
      for (String s : strings) {
        out.writeUTF(s);
        out.writeChars(s);
      }
      out.write(raw);
      out.write(raw, raw.length / 2, raw.length - raw.length / 2);
      out.writeDouble(d);
      out.writeFloat((float) d);
      out.writeBoolean(b);
      out.writeShort(sh);
      out.writeChar(sh);
      out.writeBytes("ascii");
    }
    reference.flush();
    assertArrayEquals(expected.toByteArray(), actual.toByteArray());
  }
}
