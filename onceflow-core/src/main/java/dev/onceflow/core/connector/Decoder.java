package dev.onceflow.core.connector;

import java.nio.charset.StandardCharsets;

/**
 * Turns source bytes into a record. Throwing marks the record undecodable: it goes to the dead-letter output and is
 * counted, unless the pipeline fails on decode errors.
 */
@FunctionalInterface
public interface Decoder<T> {
  /** Decodes one record. */
  T decode(byte[] bytes) throws Exception;

  /** UTF-8 text. */
  static Decoder<String> utf8String() {
    return b -> new String(b, StandardCharsets.UTF_8);
  }
}
