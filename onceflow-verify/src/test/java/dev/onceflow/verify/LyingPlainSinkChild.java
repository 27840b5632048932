package dev.onceflow.verify;

import dev.onceflow.core.connector.log.LogSink;

/**
 * A deliberately broken child (test code only): its sink is a {@link LyingIdempotentSink}. The verifier must report the
 * broken promise.
 */
public final class LyingPlainSinkChild {
  private LyingPlainSinkChild() {}

  public static void main(String[] args) throws Exception {
    System.exit(JobMain.run(JobRunSpec.fromArgs(args),
        (log, topic, job, guarantee) -> LyingIdempotentSink.of(LogSink.plain(log, topic, OutputRow::encodeValue))));
  }
}
