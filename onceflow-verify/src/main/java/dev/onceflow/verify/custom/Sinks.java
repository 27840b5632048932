package dev.onceflow.verify.custom;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.log.Log;
import dev.onceflow.verify.ChildInstrumentation;
import dev.onceflow.verify.FaultInjector;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.function.Function;

/**
 * The sinks a {@link VerifiableJob} may end in, all writing text records into the verifier's output topic (the
 * embedded log), which the checker reads committed. Each is instrumented for the harness (kills right after a
 * prepare) and, in a {@code faults(true)} run, throws injected exceptions on writes, pre-commits and commits.
 */
public final class Sinks {
  private final Log log;
  private final String topic;
  private final Guarantee guarantee;
  private final FaultInjector faults;

  Sinks(Log log, String topic, Guarantee guarantee, FaultInjector faults) {
    this.log = log;
    this.topic = topic;
    this.guarantee = guarantee;
    this.faults = faults;
  }

  /** The guarantee the pipeline runs under. */
  public Guarantee guarantee() {
    return guarantee;
  }

  /** A two-phase-commit sink: output becomes visible when the checkpoint that covers it completed. */
  public TwoPhaseCommitSink<String> transactional() {
    TwoPhaseCommitSink<String> s = LogSink.transactional(log, topic, Sinks::utf8);
    return (TwoPhaseCommitSink<String>) ChildInstrumentation.sink(faults == null ? s : faults.sink(s));
  }

  /** A plain write-through sink (repeats output on a replay; refused under EXACTLY_ONCE). */
  public WriteThroughSink<String> plain() {
    WriteThroughSink<String> s = LogSink.plain(log, topic, Sinks::utf8);
    return (WriteThroughSink<String>) ChildInstrumentation.sink(faults == null ? s : faults.sink(s));
  }

  /**
   * An idempotent upsert sink: each record written under {@code key.apply(record)}; check it with
   * {@link Expectation#table}.
   */
  public WriteThroughSink<String> upsert(Function<String, String> key) {
    Objects.requireNonNull(key, "key");
    WriteThroughSink<String> s = LogSink.upsert(log, topic, r -> utf8(key.apply(r)), Sinks::utf8);
    return (WriteThroughSink<String>) ChildInstrumentation.sink(faults == null ? s : faults.sink(s));
  }

  /** {@link #transactional()} under EXACTLY_ONCE, {@link #plain()} otherwise. */
  public Sink<String> forGuarantee() {
    return guarantee == Guarantee.EXACTLY_ONCE ? transactional() : plain();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
