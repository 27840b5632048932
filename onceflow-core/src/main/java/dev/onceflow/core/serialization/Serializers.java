package dev.onceflow.core.serialization;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.io.InvalidClassException;
import java.io.NotSerializableException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/** Built-in serializers, and a tagged {@link #generic()} one that falls back to Java serialisation. */
public final class Serializers {
  private Serializers() {}

  /** UTF-8 strings of any length. */
  public static final TypeSerializer<String> STRING =
      of(
          (v, out) -> {
            byte[] b = v.getBytes(StandardCharsets.UTF_8);
            out.writeInt(b.length);
            out.write(b);
          },
          in -> {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return new String(b, StandardCharsets.UTF_8);
          });

  /** 64-bit longs. */
  public static final TypeSerializer<Long> LONG = of((v, out) -> out.writeLong(v), DataInput::readLong);

  /** 32-bit ints. */
  public static final TypeSerializer<Integer> INTEGER = of((v, out) -> out.writeInt(v), DataInput::readInt);

  /** Doubles. */
  public static final TypeSerializer<Double> DOUBLE = of((v, out) -> out.writeDouble(v), DataInput::readDouble);

  /** Booleans. */
  public static final TypeSerializer<Boolean> BOOLEAN = of((v, out) -> out.writeBoolean(v), DataInput::readBoolean);

  /** Byte arrays (length-prefixed). */
  public static final TypeSerializer<byte[]> BYTES =
      of(
          (v, out) -> {
            out.writeInt(v.length);
            out.write(v);
          },
          in -> {
            byte[] b = new byte[in.readInt()];
            in.readFully(b);
            return b;
          });

  @FunctionalInterface
  private interface Writer<T> {
    void write(T value, DataOutput out) throws IOException;
  }

  @FunctionalInterface
  private interface Reader<T> {
    T read(DataInput in) throws IOException;
  }

  private static <T> TypeSerializer<T> of(Writer<T> writer, Reader<T> reader) {
    return new TypeSerializer<>() {
      @Override
      public void serialize(T value, DataOutput out) throws IOException {
        writer.write(value, out);
      }

      @Override
      public T deserialize(DataInput in) throws IOException {
        return reader.read(in);
      }
    };
  }

  /**
   * Java serialisation for {@link Serializable} user types (records work). Slower and larger than a hand-written
   * serializer, and a class change can make old checkpoints unreadable (keep serialVersionUID stable).
   */
  @SuppressWarnings("unchecked")
  public static <T> TypeSerializer<T> java() {
    return (TypeSerializer<T>) JAVA;
  }

  /**
   * A serializer for any value: a one-byte tag, then the built-in format for null, String, Long, Integer, Double,
   * Boolean and byte[], or Java serialisation for other {@link Serializable} values. The default for keys and state.
   */
  @SuppressWarnings("unchecked")
  public static <T> TypeSerializer<T> generic() {
    return (TypeSerializer<T>) GENERIC;
  }

  private static final TypeSerializer<Object> JAVA =
      new TypeSerializer<>() {
        @Override
        public void serialize(Object v, DataOutput out) throws IOException {
          if (v != null && !(v instanceof Serializable)) {
            throw new NotSerializableException(
                v.getClass().getName()
                    + " is used in state but is neither a built-in type nor Serializable: implement Serializable"
                    + " (records are easiest) or give the state a TypeSerializer");
          }
          ByteArrayOutputStream bytes = new ByteArrayOutputStream();
          try (ObjectOutputStream oos = new ObjectOutputStream(bytes)) {
            oos.writeObject(v);
          }
          BYTES.serialize(bytes.toByteArray(), out);
        }

        @Override
        public Object deserialize(DataInput in) throws IOException {
          byte[] b = BYTES.deserialize(in);
          try (ObjectInputStream ois = new ObjectInputStream(new ByteArrayInputStream(b))) {
            return ois.readObject();
          } catch (ClassNotFoundException e) {
            InvalidClassException ice =
                new InvalidClassException("class of a checkpointed value is missing: " + e.getMessage());
            ice.initCause(e);
            throw ice;
          }
        }
      };

  private static final TypeSerializer<Object> GENERIC =
      new TypeSerializer<>() {
        @Override
        public void serialize(Object v, DataOutput out) throws IOException {
          if (v == null) {
            out.writeByte(0);
          } else if (v instanceof String s) {
            out.writeByte(1);
            STRING.serialize(s, out);
          } else if (v instanceof Long l) {
            out.writeByte(2);
            out.writeLong(l);
          } else if (v instanceof Integer i) {
            out.writeByte(3);
            out.writeInt(i);
          } else if (v instanceof Double d) {
            out.writeByte(4);
            out.writeDouble(d);
          } else if (v instanceof Boolean b) {
            out.writeByte(5);
            out.writeBoolean(b);
          } else if (v instanceof byte[] b) {
            out.writeByte(6);
            BYTES.serialize(b, out);
          } else {
            out.writeByte(7);
            JAVA.serialize(v, out);
          }
        }

        @Override
        public Object deserialize(DataInput in) throws IOException {
          int tag = in.readByte();
          return switch (tag) {
            case 0 -> null;
            case 1 -> STRING.deserialize(in);
            case 2 -> in.readLong();
            case 3 -> in.readInt();
            case 4 -> in.readDouble();
            case 5 -> in.readBoolean();
            case 6 -> BYTES.deserialize(in);
            case 7 -> JAVA.deserialize(in);
            default -> throw new IOException("unknown value tag " + tag + " in checkpoint data (corrupt file?)");
          };
        }
      };
}
