package dev.onceflow.core;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.function.Supplier;

/** Makes one copy of a user function per subtask, by Java serialisation (checked when the pipeline is built). */
final class FunctionCopies {
  private FunctionCopies() {}

  /**
   * A factory of copies of {@code fn}.
   *
   * @throws InvalidPipelineException if {@code fn} cannot be serialised
   */
  static <F> Supplier<F> of(F fn, String kind) {
    byte[] bytes;
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (ObjectOutputStream oos = new ObjectOutputStream(out)) {
        oos.writeObject(fn);
      }
      bytes = out.toByteArray();
    } catch (IOException e) {
      throw new InvalidPipelineException(
          kind + " " + fn.getClass().getName() + " cannot be copied for each subtask (" + e
              + "): make its fields Serializable or pass a factory with process(() -> new ...)");
    }
    String name = fn.getClass().getName();
    return () -> copy(bytes, kind + " " + name);
  }

  @SuppressWarnings("unchecked")
  private static <F> F copy(byte[] bytes, String what) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes))) {
      return (F) in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException("cannot copy " + what, e);
    }
  }
}
