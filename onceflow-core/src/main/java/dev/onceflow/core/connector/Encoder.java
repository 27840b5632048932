package dev.onceflow.core.connector;

import java.nio.charset.StandardCharsets;

/** Turns a record into bytes for a sink. Must be deterministic (replays must produce the same bytes) and stateless. */
@FunctionalInterface
public interface Encoder<T> {
  /** Encodes one record. */
  byte[] encode(T value);

  /** {@code String.valueOf(value)} as UTF-8. */
  static <T> Encoder<T> utf8String() {
    return v -> String.valueOf(v).getBytes(StandardCharsets.UTF_8);
  }
}
