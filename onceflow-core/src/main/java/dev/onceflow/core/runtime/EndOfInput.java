package dev.onceflow.core.runtime;

/** The sender will send no more records or watermarks; barriers (the final checkpoint) may still follow. */
public enum EndOfInput implements StreamElement {
  INSTANCE
}
