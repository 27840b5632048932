package dev.onceflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onceflow.core.Guarantee;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code onceflow bench pipeline}: a log-to-log keyed count beside the log's raw durable appends of its input. */
@Command(
    name = "pipeline",
    mixinStandardHelpOptions = true,
    description = {
        "A log-to-log job beside its limit, on one embedded log with every-append durability (each append"
            + " fsync'd). Per run: (1) raw: N records \"id,tag\" appended durably into topic 'in' (one idempotent"
            + " producer per partition, batches of 500): what the log takes durably, the limit; (2) pipeline:"
            + " LogSource(in) -> keyBy tag -> keyed count (ValueState) -> one \"tag,count\" per record ->"
            + " LogSink.transactional(out), timed from start to finished, then the committed counts are checked.",
        "Runs are interleaved (raw, pipeline, raw, pipeline, ...) in one JVM after an unmeasured warm-up run; reports"
            + " the median of each, their spread, pipeline / raw, the JVM, the cores and the load average.",
        "Example: onceflow bench pipeline --events 20000000 --checkpoint-interval 1000 --runs 3 --json"})
final class BenchPipelineCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", defaultValue = "20000000",
      description = "N per run; the default lasts several checkpoint intervals at 1 s (5,000,000 ended within the"
          + " first second on 2 cores: only the final checkpoint ran). Default ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--parallelism", defaultValue = "2", description = "Subtasks per stage. Default ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(names = "--partitions", defaultValue = "2",
      description = "Partitions of the input and output topics. Default ${DEFAULT-VALUE}.")
  int partitions;

  @Option(names = "--guarantee", defaultValue = "EXACTLY_ONCE",
      description = "AT_MOST_ONCE, AT_LEAST_ONCE or EXACTLY_ONCE (dashes/lower case accepted). Default ${DEFAULT-VALUE}.")
  String guarantee;

  @Option(names = "--checkpoint-interval", defaultValue = "1000",
      description = "Checkpoint interval in ms, 0 = none but the final one. Default ${DEFAULT-VALUE}.")
  long checkpointIntervalMs;

  @Option(names = "--warmup", defaultValue = "1000000",
      description = "Events of an unmeasured run (raw and pipeline) first; 0 = none. Default ${DEFAULT-VALUE}.")
  long warmupEvents;

  @Option(names = "--runs", defaultValue = "3", description = "Measured runs of each. Default ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--dir", description = "Where to put the logs and checkpoints (default: a temp dir, deleted after).")
  Path dir;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @Override
  public Integer call() throws Exception {
    Guarantee g;
    try {
      g = Guarantee.valueOf(guarantee.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--guarantee must be AT_MOST_ONCE, AT_LEAST_ONCE or EXACTLY_ONCE, was '" + guarantee + "'");
    }
    if (events < 1 || parallelism < 1 || partitions < 1 || runs < 1 || checkpointIntervalMs < 0
        || warmupEvents < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--events, --parallelism, --partitions and --runs"
          + " must be >= 1, --checkpoint-interval and --warmup >= 0");
    }
    boolean temp = dir == null;
    Path root = temp ? Files.createTempDirectory("onceflow-bench-pipeline") : Files.createDirectories(dir);
    double loadBefore = BenchRuns.loadAverage();
    double[] raw = new double[runs];
    double[] pipeline = new double[runs];
    long[] checkpoints = new long[runs];
    try {
      if (warmupEvents > 0) {
        if (!json) {
          System.err.printf(Locale.ROOT, "warm-up: %d events (not measured)...%n", warmupEvents);
        }
        runOnce(root.resolve("warmup"), warmupEvents, g);
      }
      for (int i = 0; i < runs; i++) {
        PipelineBenchmark.Result r = runOnce(root.resolve("run-" + i), events, g);
        raw[i] = r.rawPerSec();
        pipeline[i] = r.pipelinePerSec();
        checkpoints[i] = r.checkpoints();
        if (!json) {
          System.err.printf(Locale.ROOT, "run %d: raw durable appends %.0f records/s, pipeline %.0f events/s (%.0f %%),"
                  + " %d checkpoints (load average %.2f)%n", i + 1, raw[i], pipeline[i], pipeline[i] / raw[i] * 100,
              checkpoints[i], BenchRuns.loadAverage());
        }
      }
    } finally {
      if (temp) {
        delete(root);
      }
    }
    BenchRuns rawStats = new BenchRuns(raw);
    BenchRuns pipelineStats = new BenchRuns(pipeline);
    double ratio = pipelineStats.median() / rawStats.median();
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("job", "pipeline");
      o.put("events", events);
      o.put("parallelism", parallelism);
      o.put("partitions", partitions);
      o.put("guarantee", g.name());
      o.put("checkpoint_interval_ms", checkpointIntervalMs);
      o.put("durability", "EVERY_APPEND");
      o.put("warmup_events", warmupEvents);
      o.put("runs", runs);
      o.put("raw_append_records_per_sec", rawStats.median());
      rawStats.putJson(o, "raw_append_records_per_sec");
      o.put("pipeline_events_per_sec", pipelineStats.median());
      pipelineStats.putJson(o, "pipeline_events_per_sec");
      o.put("pipeline_to_raw", ratio);
      o.put("checkpoints_completed_median_run", checkpoints[pipelineStats.medianIndex()]);
      BenchRuns.putEnvironment(o, loadBefore);
      System.out.println(o);
    } else {
      System.out.printf(Locale.ROOT, "pipeline: %d events, parallelism %d, %d partitions, %s, checkpoint interval %d"
              + " ms, every-append durability%n", events, parallelism, partitions, g, checkpointIntervalMs);
      System.out.printf(Locale.ROOT, "  raw durable appends: %s records/s%n", rawStats.describeMillions());
      System.out.printf(Locale.ROOT, "  pipeline:            %s events/s = %.0f %% of raw%n",
          pipelineStats.describeMillions(), ratio * 100);
      System.out.printf(Locale.ROOT, "  %s%n", BenchRuns.describeEnvironment(loadBefore));
    }
    return 0;
  }

  private PipelineBenchmark.Result runOnce(Path d, long n, Guarantee g) throws Exception {
    try {
      return PipelineBenchmark.run(n, parallelism, partitions, g, checkpointIntervalMs, d);
    } finally {
      delete(d);
    }
  }

  private static void delete(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete benchmark directory " + p, e);
    }
  }
}
