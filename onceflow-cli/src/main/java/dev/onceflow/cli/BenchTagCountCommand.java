package dev.onceflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.bench.TagCountBenchmark;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code onceflow bench tag-count}: throughput of the keyed 60 s tumbling window count job. */
@Command(
    name = "tag-count",
    mixinStandardHelpOptions = true,
    description = "Generated posts -> keyBy tag -> 60 s tumbling event-time windows -> count -> discarding"
        + " transactional sink that checks the committed total equals N.")
final class BenchTagCountCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", defaultValue = "20000000", description = "N. Default ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--parallelism", defaultValue = "2", description = "Subtasks per stage. Default ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(names = "--guarantee", defaultValue = "EXACTLY_ONCE",
      description = "AT_MOST_ONCE, AT_LEAST_ONCE or EXACTLY_ONCE (dashes/lower case accepted). Default ${DEFAULT-VALUE}.")
  String guarantee;

  @Option(names = "--checkpoint-interval", defaultValue = "1000",
      description = "Checkpoint interval in ms, 0 = none. Default ${DEFAULT-VALUE}.")
  long checkpointIntervalMs;

  @Option(names = "--warmup", defaultValue = "5000000",
      description = "Events of an unmeasured run first, in the same JVM, so the JIT has compiled the hot path"
          + " (as JMH warm-up iterations do); 0 = measure a cold JVM. Default ${DEFAULT-VALUE}.")
  long warmupEvents;

  @Option(names = "--runs", defaultValue = "1",
      description = "Measured runs in the same JVM after the warm-up; the run with the median events/s is reported"
          + " (all are listed), so one run disturbed by other load does not decide. Default ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @CommandLine.Mixin DashboardOption dashboardOption = new DashboardOption();

  @Override
  public Integer call() throws Exception {
    dashboardOption.apply();
    Guarantee g;
    try {
      g = Guarantee.valueOf(guarantee.toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--guarantee must be AT_MOST_ONCE, AT_LEAST_ONCE or EXACTLY_ONCE, was '" + guarantee + "'");
    }
    if (events < 1 || parallelism < 1 || runs < 1 || checkpointIntervalMs < 0 || warmupEvents < 0) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--events, --parallelism and --runs must be >= 1, --checkpoint-interval and --warmup >= 0");
    }
    if (warmupEvents > 0) {
      if (!json) {
        System.err.printf(Locale.ROOT, "warm-up: %d events (not measured)...%n", warmupEvents);
      }
      TagCountBenchmark.run(warmupEvents, parallelism, g, checkpointIntervalMs);
    }
    double load = ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    List<TagCountBenchmark.Result> results = new ArrayList<>();
    for (int i = 0; i < runs; i++) {
      TagCountBenchmark.Result run = TagCountBenchmark.run(events, parallelism, g, checkpointIntervalMs);
      results.add(run);
      if (!json && runs > 1) {
        System.err.printf(Locale.ROOT, "run %d: %.0f events/s, %d checkpoints%n", i + 1, run.eventsPerSec(),
            run.checkpointsCompleted());
      }
    }
    List<TagCountBenchmark.Result> sorted = new ArrayList<>(results);
    sorted.sort(Comparator.comparingDouble(TagCountBenchmark.Result::eventsPerSec));
    TagCountBenchmark.Result r = sorted.get((sorted.size() - 1) / 2); // lower median: an actual run, not an average
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("job", "tag-count");
      o.put("events", r.events());
      o.put("parallelism", r.parallelism());
      o.put("guarantee", r.guarantee().name());
      o.put("checkpoint_interval_ms", r.checkpointIntervalMs());
      o.put("seconds", r.seconds());
      o.put("events_per_sec", r.eventsPerSec());
      o.put("checkpoints_completed", r.checkpointsCompleted());
      o.put("warmup_events", warmupEvents);
      o.put("runs", runs);
      ArrayNode all = o.putArray("events_per_sec_runs");
      results.forEach(x -> all.add(x.eventsPerSec()));
      o.put("cores", Runtime.getRuntime().availableProcessors());
      o.put("load_average", load);
      System.out.println(o);
    } else {
      System.out.printf(Locale.ROOT, "tag-count: %d events, parallelism %d, %s, checkpoint interval %d ms:"
              + " %.2f s, %.0f events/s, %d checkpoints completed%s (%d cores, load average %.2f)%n", r.events(),
          r.parallelism(), r.guarantee(), r.checkpointIntervalMs(), r.seconds(), r.eventsPerSec(),
          r.checkpointsCompleted(), runs > 1 ? " (median of " + runs + " runs)" : "",
          Runtime.getRuntime().availableProcessors(), load);
    }
    return 0;
  }
}
