package dev.onceflow.verify;

import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Where a verification's input is written and its output committed: the embedded log (the default, no server), or a
 * connector's real system. {@link Stores} turns it into the verifier's {@link InputStore} and {@link OutputStore}, and
 * {@link ChildIo} into the child's source and sink.
 *
 * @param input the input store's name: {@code log}
 * @param output the output store's name: {@code log}
 * @param settings store settings (e.g. a server address, a sink mode); passed to the children as {@code io.*}
 *     arguments, so they must never hold a secret
 */
public record IoOptions(String input, String output, Map<String, String> settings) {
  /** Input and output on the embedded log. */
  public static final IoOptions LOG = new IoOptions("log", "log", Map.of());

  /** Validates and copies. */
  public IoOptions {
    Objects.requireNonNull(input, "input");
    Objects.requireNonNull(output, "output");
    settings = Map.copyOf(new TreeMap<>(settings));
  }

  /** With another input store. */
  public IoOptions withInput(String name) {
    return new IoOptions(name, output, settings);
  }

  /** With another output store. */
  public IoOptions withOutput(String name) {
    return new IoOptions(input, name, settings);
  }

  /** With one more setting. */
  public IoOptions with(String key, String value) {
    Map<String, String> m = new TreeMap<>(settings);
    m.put(key, value);
    return new IoOptions(input, output, m);
  }
}
