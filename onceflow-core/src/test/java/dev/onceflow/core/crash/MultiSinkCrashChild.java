package dev.onceflow.core.crash;

import dev.onceflow.core.DataStream;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.testing.ChildJob;
import dev.onceflow.core.testing.CountPerKey;
import dev.onceflow.log.Log;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The child JVM of {@link MultiSinkCrashTest}: one log source read by two branches into two transactional log sinks
 * under EXACTLY_ONCE: "ids" (each id) and, through a keyed running count, "counts" ("id,key,count"). Args: log dir,
 * checkpoint dir, where to hold (NONE, PRECOMMIT, CKPT = after the checkpoint completed and before any commit,
 * COMMIT = inside the commit of "counts", which runs after that of "ids", RECOVERED = after recovery, before
 * anything new), on which occurrence. Prints "READ n", "CKPT id", "COMMITTED id", "HELD ...", "FINISHED".
 */
public final class MultiSinkCrashChild {
  public static final long KEYS = 31;

  public static void main(String[] args) throws Exception {
    Path logDir = Path.of(args[0]);
    Path ckptDir = Path.of(args[1]);
    String hold = args[2];
    int nth = Integer.parseInt(args[3]);
    try (Log log = Log.open(logDir)) {
      HoldingSink.Step step = switch (hold) {
        case "PRECOMMIT" -> HoldingSink.Step.PRECOMMIT;
        case "COMMIT" -> HoldingSink.Step.COMMIT;
        case "RECOVERED" -> HoldingSink.Step.RECOVERED;
        default -> HoldingSink.Step.NONE;
      };
      Pipeline p = CrashChildPipeline.create("multisink", ckptDir, hold, nth);
      DataStream<Long> in = p.source(
          LogSource.of(log, "in", b -> Long.parseLong(new String(b, StandardCharsets.UTF_8))).bounded());
      in.map(String::valueOf).sinkTo(new HoldingSink<>(
          LogSink.transactional(log, "ids", Encoder.<String>utf8String()), HoldingSink.Step.NONE, 0));
      in.keyBy(i -> i % KEYS).process(new CountPerKey()).sinkTo(new HoldingSink<>(
          LogSink.transactional(log, "counts", Encoder.<String>utf8String()), step, nth));
      ChildJob.runPrintingProgress(p, "READ", 500);
    }
    System.exit(0);
  }
}
