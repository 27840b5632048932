package dev.onceflow.verify;

import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.source.Source;
import dev.onceflow.log.Log;

/** Chooses the source of a verifier pipeline (in the child): a bounded source over the job's whole input. */
public interface SourceFactory {
  /** The bounded {@link LogSource} over {@code topic} of the child's log. */
  SourceFactory LOG = new SourceFactory() {
    @Override
    public <T> Source<T> create(Log log, String topic, Job job, Decoder<T> decoder) {
      return LogSource.of(log, topic, decoder).bounded();
    }
  };

  /**
   * A bounded source over the input {@code topic} of {@code job}, decoding each record's value with {@code decoder};
   * {@code log} is the child's embedded log (unused by sources on other systems).
   */
  <T> Source<T> create(Log log, String topic, Job job, Decoder<T> decoder);
}
