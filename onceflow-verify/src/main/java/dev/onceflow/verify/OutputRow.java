package dev.onceflow.verify;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * What the verifier's pipelines write: a JSON value and, for the clicks upsert table only, its key.
 *
 * @param key the table key ({@code session|ts}) or null
 * @param json the JSON value
 */
public record OutputRow(String key, String json) implements Serializable {
  /** The key as UTF-8 bytes, or null (the sink then spreads records round-robin). */
  public static byte[] encodeKey(OutputRow row) {
    return row.key == null ? null : row.key.getBytes(StandardCharsets.UTF_8);
  }

  /** The JSON value as UTF-8 bytes. */
  public static byte[] encodeValue(OutputRow row) {
    return row.json.getBytes(StandardCharsets.UTF_8);
  }
}
