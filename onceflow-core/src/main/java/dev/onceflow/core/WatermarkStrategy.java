package dev.onceflow.core;

import dev.onceflow.core.runtime.Transformation;
import java.time.Duration;

/**
 * How a source derives event-time watermarks from the timestamps its reader attaches to records. At end of input the
 * watermark always goes to +infinity, so every window and timer fires.
 */
public final class WatermarkStrategy {
  private final Transformation.WatermarkSpec spec;

  private WatermarkStrategy(Transformation.WatermarkSpec spec) {
    this.spec = spec;
  }

  /** No watermarks while running (only +infinity at end of input). */
  public static WatermarkStrategy none() {
    return new WatermarkStrategy(Transformation.WatermarkSpec.NONE);
  }

  /** Timestamps never decrease per source subtask: watermark = max timestamp - 1. */
  public static WatermarkStrategy monotonous() {
    return new WatermarkStrategy(new Transformation.WatermarkSpec(0, 0));
  }

  /** Timestamps may be up to {@code maxOutOfOrderness} late: watermark = max timestamp - bound - 1. */
  public static WatermarkStrategy boundedOutOfOrderness(Duration maxOutOfOrderness) {
    if (maxOutOfOrderness.isNegative()) {
      throw new InvalidPipelineException("maxOutOfOrderness must not be negative, was " + maxOutOfOrderness);
    }
    return new WatermarkStrategy(new Transformation.WatermarkSpec(maxOutOfOrderness.toMillis(), 0));
  }

  /**
   * A source subtask that had no data for {@code timeout} is marked idle and stops holding back the watermark until it
   * has data again.
   */
  public WatermarkStrategy withIdleness(Duration timeout) {
    return new WatermarkStrategy(new Transformation.WatermarkSpec(spec.maxOutOfOrdernessMillis(), timeout.toMillis()));
  }

  Transformation.WatermarkSpec spec() {
    return spec;
  }
}
