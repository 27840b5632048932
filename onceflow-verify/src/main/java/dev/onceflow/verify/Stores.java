package dev.onceflow.verify;

import dev.onceflow.verify.kafka.KafkaIo;
import dev.onceflow.verify.postgres.PostgresIo;
import dev.onceflow.verify.postgres.PostgresOutputStore;
import java.nio.file.Path;

/** Opens the verifier's {@link InputStore} and {@link OutputStore} that {@link IoOptions} names. */
final class Stores {
  private Stores() {}

  static InputStore input(IoOptions io, Path logDir) {
    return switch (io.input()) {
      case "log" -> new LogStores.Input(logDir);
      case KafkaIo.NAME -> KafkaIo.input(io, logDir);
      default -> throw new IllegalArgumentException("unknown input store '" + io.input() + "' (known: log, kafka)");
    };
  }

  static OutputStore output(VerifyOptions o, Path logDir) {
    IoOptions io = o.io();
    return switch (io.output()) {
      case "log" -> new LogStores.Output(logDir);
      case PostgresIo.STORE -> new PostgresOutputStore(o, logDir.getParent());
      case KafkaIo.NAME -> KafkaIo.output(io, logDir);
      default -> throw new IllegalArgumentException("unknown output store '" + io.output()
          + "' (known: log, kafka, postgres)");
    };
  }
}
