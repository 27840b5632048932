package dev.onceflow.log;

import java.util.List;
import java.util.Objects;

/** An immutable, ordered list of record headers (keys may repeat). */
public final class Headers {
  private static final Headers EMPTY = new Headers(List.of());

  private final List<Header> headers;

  private Headers(List<Header> headers) {
    this.headers = headers;
  }

  /** The empty header list. */
  public static Headers empty() {
    return EMPTY;
  }

  /** Headers in the given order. */
  public static Headers of(Header... headers) {
    return headers.length == 0 ? EMPTY : new Headers(List.of(headers));
  }

  /** Headers in the given order. */
  public static Headers of(List<Header> headers) {
    return headers.isEmpty() ? EMPTY : new Headers(List.copyOf(headers));
  }

  /** All headers in order. */
  public List<Header> asList() {
    return headers;
  }

  /** Number of headers. */
  public int size() {
    return headers.size();
  }

  /** Whether there are no headers. */
  public boolean isEmpty() {
    return headers.isEmpty();
  }

  /** The value of the last header with this key, or null if there is none (or its value is null). */
  public byte[] lastValue(String key) {
    Objects.requireNonNull(key, "key");
    for (int i = headers.size() - 1; i >= 0; i--) {
      if (headers.get(i).key().equals(key)) {
        return headers.get(i).value();
      }
    }
    return null;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Headers h && headers.equals(h.headers);
  }

  @Override
  public int hashCode() {
    return headers.hashCode();
  }

  @Override
  public String toString() {
    return headers.toString();
  }
}
