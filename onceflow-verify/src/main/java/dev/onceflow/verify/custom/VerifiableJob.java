package dev.onceflow.verify.custom;

import dev.onceflow.core.Pipeline;
import dev.onceflow.core.source.Source;
import java.util.List;

/**
 * A pipeline of yours in the form the verifier can run, kill and check. The verifier writes {@link #input} to a
 * log topic, runs {@link #build} in child JVMs that it kills with SIGKILL and restarts on the same directories, reads
 * the committed output and compares it with {@link #expect}.
 *
 * <p>The class needs a no-argument constructor: each child JVM creates its own instance by name. Build the pipeline
 * from what you are given, not from fields set elsewhere; the input and the expectation must be functions of their
 * arguments alone (the checker must not ask the engine anything).
 */
public interface VerifiableJob {
  /** 2026-01-01T00:00:00Z, the default event-time origin of {@link #eventTime}. */
  long EPOCH = 1767225600000L;

  /**
   * The input: {@code events} records (text, e.g. CSV or JSON) in input order. Position i goes to partition
   * {@code i mod partitions} of the input topic. The same {@code (seed, events)} must give the same list.
   */
  List<String> input(long seed, int events);

  /** The event time of the record at input {@code position} (the log record's timestamp); default EPOCH + position. */
  default long eventTime(long position, String record) {
    return EPOCH + position;
  }

  /**
   * Builds the pipeline: read {@code source} (the input topic to its end, bounded) with {@code pipeline.source(...)},
   * transform, and end in one of {@code sinks}. The pipeline's name, guarantee, parallelism, checkpoints and restart
   * strategy are already set by the verifier; do not change them, and do not call {@code execute}.
   */
  void build(Pipeline pipeline, Source<String> source, Sinks sinks);

  /** What the committed output of {@code input} must be: see {@link Expectation}. */
  Expectation expect(List<String> input);
}
