package dev.onceflow.core.connector.log;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.testing.ChildJob;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.log.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link PipelineCrashTest}: runs the log-to-log keyed count on the given directories and prints its
 * progress ("READ n", "CKPT id", "COMMITTED id", finally "FINISHED") so the parent can kill it at chosen moments.
 */
public final class CrashChild {
  public static final long KEYS = 31;

  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    Path ckptDir = Path.of(args[1]);
    Guarantee guarantee = Guarantee.valueOf(args[2]);
    try (Log log = Log.open(logDir)) {
      Sink<String> sink = guarantee == Guarantee.EXACTLY_ONCE
          ? LogSink.transactional(log, "counts", Encoder.<String>utf8String())
          : LogSink.plain(log, "counts", Encoder.<String>utf8String());
      Pipeline p = Onceflow.pipeline("crash")
          .guarantee(guarantee)
          .parallelism(2)
          .batchSize(32)
          .channelCapacity(2)
          .checkpointInterval(Duration.ofMillis(15))
          .checkpointDir(ckptDir)
          .restartStrategy(RestartStrategy.noRestart())
          .listener(ChildJob.printingListener());
      p.source(LogSource.of(log, "posts", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded())
          .keyBy(i -> i % KEYS)
          .process(new CountPerKey())
          .sinkTo(sink);
      ChildJob.runPrintingProgress(p, "READ", 500);
    }
    System.exit(0);
  }
}
