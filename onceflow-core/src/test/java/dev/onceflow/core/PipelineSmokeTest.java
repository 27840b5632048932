package dev.onceflow.core;

import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.core.testing.Expectations;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineSmokeTest {
  @TempDir Path tmp;

  @Test
  void keyedCountIntoFileSinkIsExact() throws Exception {
    long n = 200_000;
    Onceflow.pipeline("smoke")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(20))
        .checkpointDir(tmp.resolve("ckpt"))
        .source(GeneratorSource.of(n, i -> i))
        .keyBy(i -> i % 97)
        .process(new CountPerKey())
        .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()))
        .execute();
    Expectations.assertExactlyOnce(FileSink.readCommitted(tmp.resolve("out")), n, i -> i % 97);
  }
}
