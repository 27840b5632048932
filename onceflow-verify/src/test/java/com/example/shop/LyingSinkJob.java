package com.example.shop;

import dev.onceflow.core.sink.Sink;
import dev.onceflow.verify.LyingIdempotentSink;
import dev.onceflow.verify.custom.Sinks;

/**
 * The same job with a deliberately broken sink: a plain write-through sink that claims to be idempotent, so the
 * engine accepts it under EXACTLY_ONCE, but a replay after a kill writes the lines after the last checkpoint again.
 * The verification must report it.
 */
public class LyingSinkJob extends RunningTotalsJob {
  @Override
  protected Sink<String> sink(Sinks sinks) {
    return LyingIdempotentSink.of(sinks.plain());
  }
}
