package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CollectingSink;
import org.junit.jupiter.api.Test;

class PipelineValidationTest {
  @Test
  void exactlyOnceWithAPlainSinkIsRefusedWhenBuiltNamingTheSink() {
    var stream = Onceflow.pipeline("refuse").guarantee(Guarantee.EXACTLY_ONCE)
        .source(GeneratorSource.of(10, i -> i));
    var e = assertThrows(InvalidPipelineException.class, () -> stream.sinkTo(new CollectingSink<>()));
    assertTrue(e.getMessage().contains("'collect'"), e.getMessage());
    assertTrue(e.getMessage().contains("neither transactional"), e.getMessage());
  }

  @Test
  void guaranteeRaisedAfterTheSinkIsRefusedAtStartBeforeAnyThread() {
    Pipeline p = Onceflow.pipeline("refuse2").guarantee(Guarantee.AT_LEAST_ONCE);
    p.source(GeneratorSource.of(10, i -> i)).sinkTo(new CollectingSink<>());
    p.guarantee(Guarantee.EXACTLY_ONCE);
    int threads = Thread.activeCount();
    assertThrows(InvalidPipelineException.class, p::start);
    assertTrue(Thread.activeCount() <= threads);
  }

  @Test
  void exactlyOnceWithAnIdempotentSinkIsAccepted() {
    WriteThroughSink<Long> upsert = new WriteThroughSink<>() {
      @Override
      public String name() {
        return "upsert";
      }

      @Override
      public boolean idempotent() {
        return true;
      }

      @Override
      public SinkWriter<Long> createWriter(dev.onceflow.core.sink.SinkContext c) {
        throw new UnsupportedOperationException();
      }
    };
    assertDoesNotThrow(() -> Onceflow.pipeline("ok").source(GeneratorSource.of(1, i -> i)).sinkTo(upsert));
  }

  @Test
  void aPipelineWithoutSinkCannotStart() {
    Pipeline p = Onceflow.pipeline("nosink");
    p.source(GeneratorSource.of(1, i -> i));
    assertThrows(InvalidPipelineException.class, p::start);
  }

  @Test
  void badNamesAndParallelismAreRefused() {
    assertThrows(InvalidPipelineException.class, () -> Onceflow.pipeline("a b"));
    assertThrows(InvalidPipelineException.class, () -> Onceflow.pipeline("x").parallelism(0));
  }
}
