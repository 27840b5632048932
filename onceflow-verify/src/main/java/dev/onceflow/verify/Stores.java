package dev.onceflow.verify;

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

  static OutputStore output(IoOptions io, Path logDir) {
    return switch (io.output()) {
      case "log" -> new LogStores.Output(logDir);
      default -> throw new IllegalArgumentException("unknown output store '" + io.output() + "' (known: log)");
    };
  }
}
