package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.log.Log;
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

  /**
   * The child argument prefix naming the store of one output of a job with several ({@code io.output.events=kafka});
   * an output without one goes to the {@link #OUTPUT} store.
   */
  public static final String OUTPUT_PREFIX = "output.";

  /**
   * The sink factory of the child's output stores: each output's sink comes from the factory of its store
   * ({@link #OUTPUT_PREFIX}{@code <output>}, else {@link #OUTPUT}).
   */
  public static SinkFactory sinks(Map<String, String> io) {
    return new SinkFactory() {
      @Override
      public Sink<OutputRow> create(Log log, String topic, Job job,
          Guarantee guarantee) {
        return create(log, topic, job, Job.OUTPUT, guarantee);
      }

      @Override
      public Sink<OutputRow> create(Log log, String topic, Job job,
          String output, Guarantee guarantee) {
        return store(io, storeOf(io, output)).create(log, topic, job, output, guarantee);
      }
    };
  }

  /** The store name of {@code output} in the child's io settings. */
  static String storeOf(Map<String, String> io, String output) {
    return io.getOrDefault(OUTPUT_PREFIX + output, io.getOrDefault(OUTPUT, "log"));
  }

  private static SinkFactory store(Map<String, String> io, String name) {
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
