package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.log.Log;

/**
 * Chooses the sink of a verifier pipeline. {@link #DEFAULT} is what the engine offers for each guarantee; tests pass
 * deliberately broken factories to prove that the checker catches a sink that cannot keep its promise.
 */
@FunctionalInterface
public interface SinkFactory {
  /**
   * The real sinks: clicks always writes to the idempotent upsert sink keyed by (session, ts); the other jobs write to
   * the transactional (two-phase commit) sink under EXACTLY_ONCE and to the plain sink otherwise.
   */
  SinkFactory DEFAULT = (log, topic, job, guarantee) -> {
    if (job == Job.CLICKS) {
      return LogSink.upsert(log, topic, OutputRow::encodeKey, OutputRow::encodeValue);
    }
    return guarantee == Guarantee.EXACTLY_ONCE
        ? LogSink.transactional(log, topic, OutputRow::encodeValue)
        : LogSink.plain(log, topic, OutputRow::encodeValue);
  };

  /** The sink of {@code job} into {@code topic} of {@code log} for the pipeline's effective {@code guarantee}. */
  Sink<OutputRow> create(Log log, String topic, Job job, Guarantee guarantee);
}
