package dev.onceflow.core.runtime;

/**
 * Event-time progress of one channel: no record with an event timestamp at or below {@code timestamp} follows (late
 * data aside). With {@code idle} set, the sender has no data for now and must not hold back the combined watermark
 * until it sends records or a non-idle watermark again.
 *
 * @param timestamp the watermark (ignored when idle)
 * @param idle true if the channel is idle
 */
public record Watermark(long timestamp, boolean idle) implements StreamElement {
  /** A non-idle watermark. */
  public Watermark(long timestamp) {
    this(timestamp, false);
  }
}
