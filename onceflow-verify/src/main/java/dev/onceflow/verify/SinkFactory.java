package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.log.Log;

/**
 * Chooses the sinks of a verifier pipeline, one per output of the job ({@link Job#outputs()}). {@link #DEFAULT} is
 * what the engine offers for each guarantee; tests pass deliberately broken factories to prove that the checker
 * catches a sink that cannot keep its promise.
 */
@FunctionalInterface
public interface SinkFactory {
  /**
   * The real sinks: a table output (clicks, the orders inventory: {@link Job#isTable}) is written under its key, by
   * the transactional (two-phase commit) sink under EXACTLY_ONCE (orders) or the idempotent upsert sink (clicks
   * always; orders under the other guarantees); every other output by the transactional sink under EXACTLY_ONCE and by
   * the plain sink otherwise.
   */
  SinkFactory DEFAULT = new SinkFactory() {
    @Override
    public Sink<OutputRow> create(Log log, String topic, Job job, Guarantee guarantee) {
      return create(log, topic, job, Job.OUTPUT, guarantee);
    }

    @Override
    public Sink<OutputRow> create(Log log, String topic, Job job, String output, Guarantee guarantee) {
      boolean exactlyOnce = guarantee == Guarantee.EXACTLY_ONCE;
      if (job.isTable(output)) {
        return exactlyOnce && job != Job.CLICKS
            ? LogSink.transactional(log, topic, OutputRow::encodeKey, OutputRow::encodeValue)
            : LogSink.upsert(log, topic, OutputRow::encodeKey, OutputRow::encodeValue);
      }
      return exactlyOnce
          ? LogSink.transactional(log, topic, OutputRow::encodeValue)
          : LogSink.plain(log, topic, OutputRow::encodeValue);
    }
  };

  /** The sink of a single-output {@code job} into {@code topic} of {@code log} for the pipeline's {@code guarantee}. */
  Sink<OutputRow> create(Log log, String topic, Job job, Guarantee guarantee);

  /**
   * The sink of {@code job}'s output {@code output} into {@code topic} ({@link JobRunSpec#outputTopic(Job, String)}).
   * By default the single-output method: a factory for single-output jobs need not know outputs.
   */
  default Sink<OutputRow> create(Log log, String topic, Job job, String output, Guarantee guarantee) {
    return create(log, topic, job, guarantee);
  }
}
