package dev.onceflow.verify;

import dev.onceflow.verify.kafka.KafkaIo;
import dev.onceflow.verify.postgres.PostgresIo;
import dev.onceflow.verify.postgres.PostgresSinkFactory;
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
  /**
   * The child argument a store sets to {@code true} when its system can fail an attempt on its own (a database
   * server restart, a terminated session): the job then restarts in process, from its last checkpoint, instead of
   * failing the child. Unset, an unexpected exception fails the child, loudly.
   */
  public static final String RESTARTS = "restarts";

  private ChildIo() {}

  /** The source factory of the child's input store. */
  public static SourceFactory sources(Map<String, String> io) {
    String name = io.getOrDefault(INPUT, "log");
    return switch (name) {
      case "log" -> SourceFactory.LOG;
      case KafkaIo.NAME -> KafkaIo.sources(io);
      default -> throw new IllegalArgumentException("unknown verifier input store '" + name + "'");
    };
  }

  /** The sink factory of the child's output store. */
  public static SinkFactory sinks(Map<String, String> io) {
    String name = io.getOrDefault(OUTPUT, "log");
    return switch (name) {
      case "log" -> SinkFactory.DEFAULT;
      case PostgresIo.STORE -> PostgresSinkFactory.fromSettings(io);
      case KafkaIo.NAME -> KafkaIo.sinks(io);
      default -> throw new IllegalArgumentException("unknown verifier output store '" + name + "'");
    };
  }

  /** Whether the job restarts in process after a failed attempt ({@link #RESTARTS}). */
  public static boolean restartsInProcess(Map<String, String> io) {
    return "true".equals(io.get(RESTARTS));
  }
}
