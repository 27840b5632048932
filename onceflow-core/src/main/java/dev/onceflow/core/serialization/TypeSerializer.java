package dev.onceflow.core.serialization;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * Writes and reads values of one type in checkpoints. Implementations must be stateless (shared between threads) and
 * the format must stay readable by later versions of the same program.
 */
public interface TypeSerializer<T> {
  /** Writes {@code value} (never null unless the serializer documents null support). */
  void serialize(T value, DataOutput out) throws IOException;

  /** Reads one value written by {@link #serialize}. */
  T deserialize(DataInput in) throws IOException;
}
