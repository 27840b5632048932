package dev.onceflow.verify;

import dev.onceflow.verify.kafka.KafkaIo;
import dev.onceflow.verify.postgres.PostgresIo;
import dev.onceflow.verify.postgres.PostgresOutputStore;
import java.nio.file.Path;

/**
 * Opens the verifier's {@link InputStore} and the {@link OutputStore} of each output of a job, as {@link IoOptions}
 * names them.
 */
final class Stores {
  private Stores() {}

  static InputStore input(IoOptions io, Path logDir) {
    return switch (io.input()) {
      case "log" -> new LogStores.Input(logDir);
      case KafkaIo.NAME -> KafkaIo.input(io, logDir);
      default -> throw new IllegalArgumentException("unknown input store '" + io.input() + "' (known: log, kafka)");
    };
  }

  /**
   * The store of {@code job}'s output {@code output}: the setting {@code output.<output>} if given, else the output
   * store, except that a job with several outputs keeps its stream outputs (not {@link Job#isTable tables}) on the
   * input's store when the output store is a database: {@code --io kafka --sink postgres} puts the orders inventory in
   * PostgreSQL and its events on Kafka, {@code --sink postgres} alone its events on the embedded log.
   */
  static String storeOf(IoOptions io, Job job, String output) {
    String explicit = io.settings().get(ChildIo.OUTPUT_PREFIX + output);
    if (explicit != null) {
      return explicit;
    }
    if (job.outputs().size() > 1 && PostgresIo.STORE.equals(io.output()) && !job.isTable(output)) {
      return io.input();
    }
    return io.output();
  }

  /** The store of {@code output} of the job of {@code o} (see {@link #storeOf}). */
  static OutputStore output(VerifyOptions o, Path logDir, String output) {
    IoOptions io = o.io();
    String store = storeOf(io, o.job(), output);
    return switch (store) {
      case "log" -> new LogStores.Output(logDir, output);
      case PostgresIo.STORE -> {
        if (!o.job().isTable(output) && o.job().outputs().size() > 1) {
          throw new IllegalArgumentException("the " + o.job().cliName() + " output '" + output + "' is a stream of"
              + " events, not a table: it cannot go to PostgreSQL (give it the log or kafka)");
        }
        yield new PostgresOutputStore(o, logDir.getParent());
      }
      case KafkaIo.NAME -> KafkaIo.output(io, logDir, output);
      default -> throw new IllegalArgumentException("unknown output store '" + store
          + "' (known: log, kafka, postgres)");
    };
  }
}
