package dev.onceflow.core.crash;

import dev.onceflow.core.Collector;
import dev.onceflow.core.KeyedStream;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.testing.ChildJob;
import dev.onceflow.log.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link IntervalJoinCrashTest}: an event-time interval join of two log topics ("left", "right":
 * value i with timestamp i) on key i mod {@link #KEYS}, between {@code -LOWER} and {@code +UPPER} ms, into a
 * transactional log sink "pairs" ("l,r"), under EXACTLY_ONCE. Args: log dir, checkpoint dir, hold (NONE, PRECOMMIT,
 * CKPT), occurrence. Prints "READ n", "CKPT id", "COMMITTED id", "HELD ...", "FINISHED".
 */
public final class IntervalJoinCrashChild {
  public static final long KEYS = 31;
  public static final long LOWER = -40;
  public static final long UPPER = 40;

  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    Path ckptDir = Path.of(args[1]);
    String hold = args[2];
    int nth = Integer.parseInt(args[3]);
    try (Log log = Log.open(logDir)) {
      Pipeline p = CrashChildPipeline.create("join", ckptDir, hold, nth);
      KeyedStream<Long, Long> left = p.source(
              LogSource.of(log, "left", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded(),
              WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(5)))
          .keyBy(i -> i % KEYS);
      KeyedStream<Long, Long> right = p.source(
              LogSource.of(log, "right", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded(),
              WatermarkStrategy.boundedOutOfOrderness(Duration.ofMillis(5)))
          .keyBy(j -> j % KEYS);
      left.intervalJoin(right).between(Duration.ofMillis(LOWER), Duration.ofMillis(UPPER))
          .process((Long l, Long r, Collector<String> out) -> out.collect(l + "," + r))
          .sinkTo(new HoldingSink<>(LogSink.transactional(log, "pairs", Encoder.<String>utf8String()),
              hold.equals("PRECOMMIT") ? HoldingSink.Step.PRECOMMIT : HoldingSink.Step.NONE, nth));
      ChildJob.runPrintingProgress(p, "READ", 500);
    }
    System.exit(0);
  }
}
