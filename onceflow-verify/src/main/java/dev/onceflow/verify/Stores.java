package dev.onceflow.verify;

import dev.onceflow.verify.postgres.PostgresIo;
import dev.onceflow.verify.postgres.PostgresOutputStore;
import java.nio.file.Path;

/** Opens the verifier's {@link InputStore} and {@link OutputStore} that {@link IoOptions} names. */
final class Stores {
  private Stores() {}

  static InputStore input(IoOptions io, Path logDir) {
    return switch (io.input()) {
      case "log" -> new LogStores.Input(logDir);
      default -> throw new IllegalArgumentException("unknown input store '" + io.input() + "' (known: log)");
    };
  }

  static OutputStore output(VerifyOptions o, Path logDir) {
    IoOptions io = o.io();
    return switch (io.output()) {
      case "log" -> new LogStores.Output(logDir);
      case PostgresIo.STORE -> new PostgresOutputStore(o, logDir.getParent());
      default -> throw new IllegalArgumentException("unknown output store '" + io.output()
          + "' (known: log, postgres)");
    };
  }
}
