package dev.onceflow.core.source;

/** What a {@link SourceReader#poll} call found. */
public enum ReadStatus {
  /** Records were emitted or more are available right now. */
  MORE_AVAILABLE,
  /** Nothing available now (an unbounded source waiting for data); the runtime flushes and polls again. */
  NOTHING_AVAILABLE,
  /** A bounded source has emitted its last record; poll is not called again. */
  END_OF_INPUT
}
