package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.FaultTestPipelines;
import dev.onceflow.log.CorruptLogException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A non-recoverable failure fails the job at once, with its cause, instead of burning every restart on it; a
 * recoverable one still goes through the restart strategy (10 quick restarts here).
 */
class FailureClassificationTest {
  static final long N = 50_000;
  @TempDir Path tmp;

  /** A source whose readers throw {@code failure} after 1,000 records, every attempt. */
  private static Source<Long> failingAfter(Supplier<RuntimeException> failure, AtomicInteger throwsSeen) {
    return new ForwardingSource<>(GeneratorSource.of(N, i -> i)) {
      @Override
      public SourceReader<Long> createReader(SourceContext context) throws Exception {
        SourceReader<Long> r = super.createReader(context);
        return new ForwardingSourceReader<>(r) {
          long read;

          @Override
          public ReadStatus poll(SourceOutput<Long> output, int maxRecords) throws Exception {
            if (read >= 1_000) {
              throwsSeen.incrementAndGet();
              throw failure.get();
            }
            read += maxRecords;
            return r.poll(output, maxRecords);
          }
        };
      }
    };
  }

  private JobHandle run(Source<Long> source, TwoPhaseCommitSink<String> sink) {
    return FaultTestPipelines.pipeline("classify", Guarantee.EXACTLY_ONCE, tmp.resolve("ckpt"), new CheckpointCounter())
        .source(source)
        .keyBy(i -> i % 13)
        .process(new CountPerKey())
        .sinkTo(sink)
        .start();
  }

  private FileSink<String> fileSink() {
    return FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String());
  }

  @Test
  void aCorruptLogFailsTheJobAtOnceWithItsCause() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    JobHandle job = run(failingAfter(() -> new CorruptLogException("segment 0 of posts-1 is corrupt at byte 4096"),
        seen), fileSink());
    JobFailedException e = assertThrows(JobFailedException.class, job::join);
    assertEquals(0, job.metrics().restarts(), "a corrupt log must not be retried");
    assertTrue(e.nonRecoverable());
    assertTrue(e.getMessage().contains("non-recoverable") && e.getMessage().contains("byte 4096"), e.getMessage());
    assertTrue(hasCause(e, CorruptLogException.class), "the cause is kept");
  }

  @Test
  void aConnectorMarkedFatalErrorFailsTheJobAtOnce() throws Exception {
    FileSink<String> inner = fileSink();
    TwoPhaseCommitSink<String> sink = new TwoPhaseCommitSink<>() {
      @Override
      public String name() {
        return inner.name();
      }

      @Override
      public TwoPhaseCommitWriter<String> createWriter(SinkContext context) throws Exception {
        return inner.createWriter(context);
      }

      @Override
      public void commit(byte[] token) {
        throw new NonRecoverableException("target table 'counts' does not exist; create it");
      }

      @Override
      public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
        inner.abortLingering(context, recordedTokens);
      }
    };
    JobHandle job = run(GeneratorSource.of(N, i -> i), sink);
    JobFailedException e = assertThrows(JobFailedException.class, job::join);
    assertEquals(0, job.metrics().restarts());
    assertTrue(e.nonRecoverable() && e.getMessage().contains("does not exist"), e.getMessage());
  }

  @Test
  void aRecoverableFailureStillUsesEveryRestart() throws Exception {
    AtomicInteger seen = new AtomicInteger();
    JobHandle job = run(failingAfter(() -> new IllegalStateException("transient"), seen), fileSink());
    JobFailedException e = assertThrows(JobFailedException.class, job::join);
    assertEquals(10, job.metrics().restarts());
    assertTrue(!e.nonRecoverable());
  }

  private static boolean hasCause(Throwable t, Class<?> type) {
    for (; t != null; t = t.getCause()) {
      if (type.isInstance(t)) {
        return true;
      }
    }
    return false;
  }
}
