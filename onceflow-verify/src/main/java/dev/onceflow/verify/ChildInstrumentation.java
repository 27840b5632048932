package dev.onceflow.verify;

import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.Source;

/**
 * What the {@link CrashHarness} needs from a child's pipeline, for children built outside this package (the
 * {@code dev.onceflow.verify.custom} jobs): the {@code INPUT_END} line and the pacing on its source, and the
 * {@code PREPARED} lines on its sink. {@link JobPipelines} does the same for the built-in jobs.
 */
public final class ChildInstrumentation {
  private ChildInstrumentation() {}

  /**
   * {@code source} printing {@code INPUT_END} once every subtask read all its input, paced to
   * {@code recordsPerSecond} in total (0 = not paced).
   */
  public static <T> Source<T> source(Source<T> source, long recordsPerSecond) {
    Source<T> s = new EndOfInputSource<>(source);
    return recordsPerSecond > 0 ? new PacedSource<>(s, recordsPerSecond) : s;
  }

  /** {@code sink} printing {@code PREPARED [id]} after each writer's pre-commit (or flush on a barrier). */
  public static <T> Sink<T> sink(Sink<T> sink) {
    return PrepareReportingSink.wrap(sink);
  }
}
