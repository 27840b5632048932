package dev.onceflow.core.checkpoint;

import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A growable byte array that is a {@link DataOutput}, producing exactly the bytes a {@code DataOutputStream} over a
 * {@code ByteArrayOutputStream} would (big-endian, modified UTF-8), for serialising checkpoint state.
 *
 * <p>Why not those two: every {@code ByteArrayOutputStream.write} is {@code synchronized} and a state snapshot makes
 * several calls per entry (tens of thousands per checkpoint), and {@code toByteArray()} copies the whole buffer each
 * time it is called. One buffer per snapshot, sized from the previous snapshot, single-threaded, copied once at the
 * end. Not thread-safe.
 */
public final class SnapshotBuffer implements DataOutput {
  private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
  private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private byte[] buf;
  private int size;

  /** Creates a buffer with room for {@code initialCapacity} bytes (it grows as needed). */
  public SnapshotBuffer(int initialCapacity) {
    this.buf = new byte[Math.max(64, initialCapacity)];
  }

  /** Bytes written so far. */
  public int size() {
    return size;
  }

  /** The backing array; valid from 0 to {@link #size()} until the next write. */
  public byte[] array() {
    return buf;
  }

  /** A copy of the written bytes. */
  public byte[] toByteArray() {
    return Arrays.copyOf(buf, size);
  }

  private void ensure(int more) {
    int need = size + more;
    if (need > buf.length) {
      buf = Arrays.copyOf(buf, Math.max(need, buf.length * 2));
    }
  }

  @Override
  public void write(int b) {
    ensure(1);
    buf[size++] = (byte) b;
  }

  @Override
  public void write(byte[] b) {
    write(b, 0, b.length);
  }

  @Override
  public void write(byte[] b, int off, int len) {
    ensure(len);
    System.arraycopy(b, off, buf, size, len);
    size += len;
  }

  @Override
  public void writeBoolean(boolean v) {
    write(v ? 1 : 0);
  }

  @Override
  public void writeByte(int v) {
    write(v);
  }

  @Override
  public void writeShort(int v) {
    ensure(2);
    SHORT.set(buf, size, (short) v);
    size += 2;
  }

  @Override
  public void writeChar(int v) {
    writeShort(v);
  }

  @Override
  public void writeInt(int v) {
    ensure(4);
    INT.set(buf, size, v);
    size += 4;
  }

  @Override
  public void writeLong(long v) {
    ensure(8);
    LONG.set(buf, size, v);
    size += 8;
  }

  @Override
  public void writeFloat(float v) {
    writeInt(Float.floatToIntBits(v));
  }

  @Override
  public void writeDouble(double v) {
    writeLong(Double.doubleToLongBits(v));
  }

  @Override
  public void writeBytes(String s) {
    int n = s.length();
    ensure(n);
    for (int i = 0; i < n; i++) {
      buf[size++] = (byte) s.charAt(i);
    }
  }

  @Override
  public void writeChars(String s) {
    int n = s.length();
    ensure(2 * n);
    for (int i = 0; i < n; i++) {
      SHORT.set(buf, size, (short) s.charAt(i));
      size += 2;
    }
  }

  /** Modified UTF-8 with a two-byte length, as {@link DataOutputStream#writeUTF}. */
  @Override
  public void writeUTF(String s) throws IOException {
    int n = s.length();
    boolean ascii = n <= 65535;
    for (int i = 0; i < n && ascii; i++) {
      char c = s.charAt(i);
      ascii = c >= 1 && c <= 0x7f;
    }
    if (ascii) {
      writeShort(n);
      writeBytes(s);
      return;
    }
    // Rare (non-ASCII names and strings): let the JDK encode it, including its "too long" error.
    java.io.ByteArrayOutputStream tmp = new java.io.ByteArrayOutputStream(n * 3 + 2);
    new DataOutputStream(tmp).writeUTF(s);
    write(tmp.toByteArray());
  }

  /** As {@link #writeUTF} for callers that cannot throw (the encoding only fails for strings over 64 KiB). */
  public void writeUtfUnchecked(String s) {
    try {
      writeUTF(s);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
