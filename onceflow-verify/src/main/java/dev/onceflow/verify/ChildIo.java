package dev.onceflow.verify;

import java.util.Map;

/**
 * The child's side of {@link IoOptions}: the source and sink factories named by the {@code io.input} and
 * {@code io.output} child arguments ({@link JobRunSpec#io()}).
 */
public final class ChildIo {
  /** The child argument naming the input store. */
  public static final String INPUT = "input";
  /** The child argument naming the output store. */
  public static final String OUTPUT = "output";

  private ChildIo() {}

  /** The source factory of the child's input store. */
  public static SourceFactory sources(Map<String, String> io) {
    String name = io.getOrDefault(INPUT, "log");
    return switch (name) {
      case "log" -> SourceFactory.LOG;
      default -> throw new IllegalArgumentException("unknown verifier input store '" + name + "'");
    };
  }

  /** The sink factory of the child's output store. */
  public static SinkFactory sinks(Map<String, String> io) {
    String name = io.getOrDefault(OUTPUT, "log");
    return switch (name) {
      case "log" -> SinkFactory.DEFAULT;
      default -> throw new IllegalArgumentException("unknown verifier output store '" + name + "'");
    };
  }
}
