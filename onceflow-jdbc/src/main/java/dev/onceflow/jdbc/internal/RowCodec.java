package dev.onceflow.jdbc.internal;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Row values in checkpoint tokens: each value is a one-byte type id (explicit, never an ordinal) and its bytes.
 * Unknown ids are refused on read.
 */
public final class RowCodec {
  static final byte NULL = 0;
  static final byte STRING = 1;
  static final byte LONG = 2;
  static final byte INT = 3;
  static final byte SHORT = 4;
  static final byte DOUBLE = 5;
  static final byte FLOAT = 6;
  static final byte BOOLEAN = 7;
  static final byte DECIMAL = 8;
  static final byte BYTES = 9;
  static final byte UUID_ID = 10;
  static final byte INSTANT = 11;
  static final byte LOCAL_DATE = 12;
  static final byte LOCAL_DATE_TIME = 13;
  static final byte OFFSET_DATE_TIME = 14;

  private RowCodec() {}

  /** Writes one value of a type. */
  @FunctionalInterface
  private interface Writer<V> {
    void write(DataOutputStream out, V v) throws IOException;
  }

  /** Reads one value of a type. */
  @FunctionalInterface
  private interface Reader {
    Object read(DataInputStream in) throws IOException;
  }

  /** A supported type: its id on disk, its class, how it is written and read. */
  private record Kind<V>(byte id, Class<V> type, Writer<V> writer, Reader reader) {
    void write(DataOutputStream out, Object v) throws IOException {
      out.writeByte(id);
      writer.write(out, type.cast(v));
    }
  }

  private static final List<Kind<?>> KINDS = List.of(
      new Kind<>(STRING, String.class, RowCodec::writeString, RowCodec::readString),
      new Kind<>(LONG, Long.class, DataOutputStream::writeLong, DataInputStream::readLong),
      new Kind<>(INT, Integer.class, DataOutputStream::writeInt, DataInputStream::readInt),
      new Kind<>(SHORT, Short.class, (o, v) -> o.writeShort(v), DataInputStream::readShort),
      new Kind<>(DOUBLE, Double.class, DataOutputStream::writeDouble, DataInputStream::readDouble),
      new Kind<>(FLOAT, Float.class, DataOutputStream::writeFloat, DataInputStream::readFloat),
      new Kind<>(BOOLEAN, Boolean.class, (o, v) -> o.writeBoolean(v), DataInputStream::readBoolean),
      new Kind<>(DECIMAL, BigDecimal.class, (o, d) -> writeString(o, d.toString()),
          in -> new BigDecimal(readString(in))),
      new Kind<>(BYTES, byte[].class, (o, b) -> {
        o.writeInt(b.length);
        o.write(b);
      }, in -> {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        return b;
      }),
      new Kind<>(UUID_ID, UUID.class, (o, u) -> {
        o.writeLong(u.getMostSignificantBits());
        o.writeLong(u.getLeastSignificantBits());
      }, in -> new UUID(in.readLong(), in.readLong())),
      new Kind<>(INSTANT, Instant.class, (o, t) -> {
        o.writeLong(t.getEpochSecond());
        o.writeInt(t.getNano());
      }, in -> Instant.ofEpochSecond(in.readLong(), in.readInt())),
      new Kind<>(LOCAL_DATE, LocalDate.class, (o, d) -> o.writeLong(d.toEpochDay()),
          in -> LocalDate.ofEpochDay(in.readLong())),
      new Kind<>(LOCAL_DATE_TIME, LocalDateTime.class, (o, d) -> writeString(o, d.toString()),
          in -> LocalDateTime.parse(readString(in))),
      new Kind<>(OFFSET_DATE_TIME, OffsetDateTime.class, (o, d) -> writeString(o, d.toString()),
          in -> OffsetDateTime.parse(readString(in))));
  private static final Map<Class<?>, Kind<?>> BY_CLASS = new HashMap<>();
  private static final Kind<?>[] BY_ID = new Kind<?>[OFFSET_DATE_TIME + 1];

  static {
    for (Kind<?> k : KINDS) {
      BY_CLASS.put(k.type(), k);
      BY_ID[k.id()] = k;
    }
  }

  /** Writes one value; a type this codec does not know is refused with the supported list. */
  public static void write(DataOutputStream out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
      return;
    }
    Kind<?> k = BY_CLASS.get(v.getClass());
    if (k == null) {
      k = KINDS.stream().filter(x -> x.type().isInstance(v)).findFirst() // a subclass (of BigDecimal)
          .orElseThrow(() -> new IllegalArgumentException("a row value of type " + v.getClass().getName()
              + " cannot be kept in a checkpoint; map it to one of String, Long, Integer, Short, Double, Float, "
              + "Boolean, BigDecimal, byte[], UUID, Instant, LocalDate, LocalDateTime, OffsetDateTime or null"));
    }
    k.write(out, v);
  }

  /** Reads one value written by {@link #write}. */
  public static Object read(DataInputStream in) throws IOException {
    byte t = in.readByte();
    if (t == NULL) {
      return null;
    }
    Kind<?> k = t > 0 && t < BY_ID.length ? BY_ID[t] : null;
    if (k == null) {
      throw new IOException("unknown row value type id " + t + " in a JDBC sink token");
    }
    return k.reader().read(in);
  }

  /** A length-prefixed UTF-8 string (no 64 KiB limit, unlike writeUTF). */
  public static void writeString(DataOutputStream out, String s) throws IOException {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    out.writeInt(b.length);
    out.write(b);
  }

  /** Reads a {@link #writeString} string. */
  public static String readString(DataInputStream in) throws IOException {
    int n = in.readInt();
    if (n < 0) {
      throw new IOException("negative string length " + n + " in a JDBC sink token");
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  /** A growable output for tokens. */
  public static final class Out extends DataOutputStream {
    private final ByteArrayOutputStream bytes;

    /** An empty one. */
    public Out() {
      this(1024);
    }

    /** An empty one with room for {@code capacity} bytes before it grows. */
    public Out(int capacity) {
      this(new ByteArrayOutputStream(capacity));
    }

    private Out(ByteArrayOutputStream b) {
      super(b);
      bytes = b;
    }

    /** The bytes written. */
    public byte[] toByteArray() {
      try {
        flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return bytes.toByteArray();
    }
  }
}
