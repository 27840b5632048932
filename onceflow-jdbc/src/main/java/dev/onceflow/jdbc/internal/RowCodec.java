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

  /** Writes one value; a type this codec does not know is refused with the supported list. */
  public static void write(DataOutputStream out, Object v) throws IOException {
    if (v == null) {
      out.writeByte(NULL);
    } else if (v instanceof String s) {
      out.writeByte(STRING);
      writeString(out, s);
    } else if (v instanceof Long l) {
      out.writeByte(LONG);
      out.writeLong(l);
    } else if (v instanceof Integer i) {
      out.writeByte(INT);
      out.writeInt(i);
    } else if (v instanceof Short s) {
      out.writeByte(SHORT);
      out.writeShort(s);
    } else if (v instanceof Double d) {
      out.writeByte(DOUBLE);
      out.writeDouble(d);
    } else if (v instanceof Float f) {
      out.writeByte(FLOAT);
      out.writeFloat(f);
    } else if (v instanceof Boolean b) {
      out.writeByte(BOOLEAN);
      out.writeBoolean(b);
    } else if (v instanceof BigDecimal d) {
      out.writeByte(DECIMAL);
      writeString(out, d.toString());
    } else if (v instanceof byte[] b) {
      out.writeByte(BYTES);
      out.writeInt(b.length);
      out.write(b);
    } else if (v instanceof UUID u) {
      out.writeByte(UUID_ID);
      out.writeLong(u.getMostSignificantBits());
      out.writeLong(u.getLeastSignificantBits());
    } else if (v instanceof Instant in) {
      out.writeByte(INSTANT);
      out.writeLong(in.getEpochSecond());
      out.writeInt(in.getNano());
    } else if (v instanceof LocalDate d) {
      out.writeByte(LOCAL_DATE);
      out.writeLong(d.toEpochDay());
    } else if (v instanceof LocalDateTime d) {
      out.writeByte(LOCAL_DATE_TIME);
      writeString(out, d.toString());
    } else if (v instanceof OffsetDateTime d) {
      out.writeByte(OFFSET_DATE_TIME);
      writeString(out, d.toString());
    } else {
      throw new IllegalArgumentException("a row value of type " + v.getClass().getName() + " cannot be kept in a "
          + "checkpoint; map it to one of String, Long, Integer, Short, Double, Float, Boolean, BigDecimal, byte[], "
          + "UUID, Instant, LocalDate, LocalDateTime, OffsetDateTime or null");
    }
  }

  /** Reads one value written by {@link #write}. */
  public static Object read(DataInputStream in) throws IOException {
    byte t = in.readByte();
    return switch (t) {
      case NULL -> null;
      case STRING -> readString(in);
      case LONG -> in.readLong();
      case INT -> in.readInt();
      case SHORT -> in.readShort();
      case DOUBLE -> in.readDouble();
      case FLOAT -> in.readFloat();
      case BOOLEAN -> in.readBoolean();
      case DECIMAL -> new BigDecimal(readString(in));
      case BYTES -> {
        byte[] b = new byte[in.readInt()];
        in.readFully(b);
        yield b;
      }
      case UUID_ID -> new UUID(in.readLong(), in.readLong());
      case INSTANT -> Instant.ofEpochSecond(in.readLong(), in.readInt());
      case LOCAL_DATE -> LocalDate.ofEpochDay(in.readLong());
      case LOCAL_DATE_TIME -> LocalDateTime.parse(readString(in));
      case OFFSET_DATE_TIME -> OffsetDateTime.parse(readString(in));
      default -> throw new IOException("unknown row value type id " + t + " in a JDBC sink token");
    };
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
      this(new ByteArrayOutputStream(1024));
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
