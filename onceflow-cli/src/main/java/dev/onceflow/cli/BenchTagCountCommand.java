package dev.onceflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.bench.TagCountBenchmark;
import java.util.ArrayList;
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
    description = {
        "Throughput of a keyed window job: N generated posts (tag = (i * 2654435761) mod 1000, event time i/10 ms,"
            + " monotonous watermarks) -> keyBy tag -> 60 s tumbling event-time windows -> count -> a discarding"
            + " transactional sink that checks the committed counts add up to N.",
        "In one JVM: unmeasured warm-up runs (until the JIT is quiet), then --runs measured runs; reports"
            + " the run with the (lower) median events/s and the spread of all runs, with the JVM, the cores and the"
            + " load average before and after (the machine may be shared: compare numbers only at similar load), and"
            + " how long the JIT compilers ran during each run (on 2 cores their time is taken from the job's).",
        "--metrics-cost: the cost of metrics and the dashboard instead: --runs pairs in one JVM, alternately without"
            + " any meter registry and with the dashboard (its Prometheus registry, /metrics and the page's sampling)"
            + " attached, with the medians of events/s and of CPU time per event of each side and their ratio.",
        "--compare: several modes (guarantee and checkpoint interval) in this JVM, interleaved: warm-up rounds of"
            + " one run per mode, then --runs rounds, each mode once per round in an order rotated by the round; per"
            + " mode the median, the spread and its ratio to the first mode, also as the median of the per-round"
            + " ratios (a pair of runs of the same round ran on the same compiled code, one after the other).",
        "Example: onceflow bench tag-count --guarantee at-most-once --checkpoint-interval 0 --runs 5 --json",
        "Example: onceflow bench tag-count --compare exactly-once:0,exactly-once:100,exactly-once:50,at-most-once:0"
            + " --runs 5"})
final class BenchTagCountCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--events", defaultValue = "200000000",
      description = "N per measured run; the default lasts >= 5 s on 2 cores up to 40 M events/s (100,000,000 lasted"
          + " 2.7-3.3 s on a 2-core machine of 2026-12-02). Default ${DEFAULT-VALUE}.")
  long events;

  @Option(names = "--parallelism", defaultValue = "2", description = "Subtasks per stage. Default ${DEFAULT-VALUE}.")
  int parallelism;

  @Option(names = "--guarantee", defaultValue = "EXACTLY_ONCE",
      description = "AT_MOST_ONCE, AT_LEAST_ONCE or EXACTLY_ONCE (dashes/lower case accepted). Default ${DEFAULT-VALUE}.")
  String guarantee;

  @Option(names = "--checkpoint-interval", defaultValue = "1000",
      description = "Checkpoint interval in ms, 0 = none but the final one. Default ${DEFAULT-VALUE}.")
  long checkpointIntervalMs;

  @Option(names = "--read-ahead", defaultValue = "" + Pipeline.DEFAULT_AT_MOST_ONCE_READ_AHEAD,
      description = "AT_MOST_ONCE: records a source subtask reads (and reserves) ahead of what it processed"
          + " (Pipeline.atMostOnceReadAhead). Default ${DEFAULT-VALUE}.")
  int readAhead;

  @Option(names = "--warmup", defaultValue = "100000000",
      description = "Events of each unmeasured warm-up run, in the same JVM, so the JIT has compiled the hot path"
          + " (as JMH warm-up iterations do); 0 = measure a cold JVM. Default ${DEFAULT-VALUE}, half a"
          + " measured run (the runs repeat until the JIT is quiet).")
  long warmupEvents;

  @Option(names = "--warmup-runs", defaultValue = "5",
      description = "At most this many warm-up runs: they stop after the first during which the JIT compilers ran"
          + " for less than " + QUIET_JIT_PERCENT + " %% of its time. On 2 cores the first three or four runs of a"
          + " JVM each recompiled the task loops for 0.1-1.8 s (a job's end and its checkpoints take paths the"
          + " compiled code had not seen), which the measured runs paid for. Default ${DEFAULT-VALUE}.")
  int warmupRuns;

  /** A warm-up run during which the JIT compiled for less than this share of its time ends the warm-up. */
  static final int QUIET_JIT_PERCENT = 2;

  @Option(names = "--runs", defaultValue = "3",
      description = "Measured runs in the same JVM after the warm-up; the run with the median events/s is reported,"
          + " with the spread of all. Default ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--json", description = "Print one JSON object.")
  boolean json;

  @CommandLine.Mixin DashboardOption dashboardOption = new DashboardOption();

  @Option(names = "--metrics-cost",
      description = "Measure what metrics and the dashboard cost: --runs pairs (off, on) interleaved in this JVM;"
          + " the dashboard listens on --dashboard PORT, or on a free port.")
  boolean metricsCost;

  @Option(names = "--compare", split = ",", paramLabel = "GUARANTEE:MS[:READ_AHEAD]",
      description = "Compare these modes interleaved in this JVM instead of running one (--guarantee and"
          + " --checkpoint-interval are then ignored): GUARANTEE:MS, or GUARANTEE:MS:READ_AHEAD for AT_MOST_ONCE's"
          + " read-ahead (default --read-ahead), e.g. exactly-once:0,exactly-once:100,at-most-once:0:262144; the"
          + " first is the baseline of the ratios.")
  List<String> compare;

  /** One mode of {@code --compare}. */
  record Mode(Guarantee guarantee, long checkpointIntervalMs, int readAhead) {
    @Override
    public String toString() {
      return guarantee + " " + (checkpointIntervalMs == 0 ? "final checkpoint only" : checkpointIntervalMs + " ms")
          + (guarantee == Guarantee.AT_MOST_ONCE ? ", read-ahead " + readAhead : "");
    }
  }

  private Guarantee parseGuarantee(String name, String option) {
    try {
      return Guarantee.valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          option + " must be AT_MOST_ONCE, AT_LEAST_ONCE or EXACTLY_ONCE, was '" + name + "'");
    }
  }

  private List<Mode> parseModes() {
    List<Mode> modes = new ArrayList<>();
    for (String m : compare) {
      String[] parts = m.split(":", -1);
      long ms = -1;
      int ahead = readAhead;
      try {
        if (parts.length == 2 || parts.length == 3) {
          ms = Long.parseLong(parts[1].trim());
          ahead = parts.length == 3 ? Integer.parseInt(parts[2].trim()) : readAhead;
        }
      } catch (NumberFormatException e) {
        ms = -1; // reported below
      }
      if (ms < 0 || ahead < 1) {
        throw new CommandLine.ParameterException(spec.commandLine(), "--compare takes GUARANTEE:MS[:READ_AHEAD]"
            + " entries (checkpoint interval in ms, 0 = final checkpoint only; AT_MOST_ONCE's read-ahead, default"
            + " --read-ahead), e.g. exactly-once:100 or at-most-once:0:262144, was '" + m + "'");
      }
      modes.add(new Mode(parseGuarantee(parts[0], "--compare's guarantee"), ms, ahead));
    }
    if (modes.size() < 2) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--compare needs at least two modes");
    }
    return modes;
  }

  @Override
  public Integer call() throws Exception {
    dashboardOption.apply();
    Guarantee g = parseGuarantee(guarantee, "--guarantee");
    if (events < 1 || parallelism < 1 || runs < 1 || checkpointIntervalMs < 0 || warmupEvents < 0 || readAhead < 1
        || warmupRuns < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--events, --parallelism, --runs, --read-ahead and"
          + " --warmup-runs must be >= 1, --checkpoint-interval and --warmup >= 0");
    }
    if (compare != null && metricsCost) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--compare and --metrics-cost are separate"
          + " measurements: give one");
    }
    if (compare != null) {
      return compare(parseModes());
    }
    if (metricsCost) {
      return metricsCost(g);
    }
    double loadBefore = BenchRuns.loadAverage();
    List<Long> warmupJit = warmUp(List.of(new Mode(g, checkpointIntervalMs, readAhead)), !json);
    List<TagCountBenchmark.Result> results = new ArrayList<>();
    double[] rates = new double[runs];
    long[] jitMillis = new long[runs];
    for (int i = 0; i < runs; i++) {
      long jit0 = BenchRuns.jitMillis();
      TagCountBenchmark.Result run = TagCountBenchmark.run(events, parallelism, g, checkpointIntervalMs, readAhead);
      jitMillis[i] = jit0 < 0 ? -1 : BenchRuns.jitMillis() - jit0;
      results.add(run);
      rates[i] = run.eventsPerSec();
      if (!json && runs > 1) {
        System.err.printf(Locale.ROOT, "run %d: %.0f events/s in %.2f s, %.0f ns CPU per event, %d checkpoints,"
                + " JIT compiling %d ms (load average %.2f)%n", i + 1, run.eventsPerSec(), run.seconds(),
            run.cpuNanosPerEvent(), run.checkpointsCompleted(), jitMillis[i], BenchRuns.loadAverage());
      }
    }
    BenchRuns stats = new BenchRuns(rates);
    TagCountBenchmark.Result r = results.get(stats.medianIndex()); // lower median: an actual run, not an average
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("job", "tag-count");
      o.put("events", r.events());
      o.put("parallelism", r.parallelism());
      o.put("guarantee", r.guarantee().name());
      o.put("checkpoint_interval_ms", r.checkpointIntervalMs());
      if (g == Guarantee.AT_MOST_ONCE) {
        o.put("read_ahead", readAhead);
      }
      o.put("seconds", r.seconds());
      o.put("events_per_sec", r.eventsPerSec());
      o.put("checkpoints_completed", r.checkpointsCompleted());
      o.put("cpu_ns_per_event", r.cpuNanosPerEvent());
      o.put("warmup_events", warmupEvents);
      o.put("warmup_runs", warmupJit.size());
      var warmJit = o.putArray("warmup_jit_ms_runs");
      warmupJit.forEach(warmJit::add);
      o.put("runs", runs);
      stats.putJson(o, "events_per_sec");
      var jit = o.putArray("jit_ms_runs"); // compiler threads' time in each run (-1: not measurable)
      for (long ms : jitMillis) {
        jit.add(ms);
      }
      BenchRuns.putEnvironment(o, loadBefore);
      System.out.println(o);
    } else {
      System.out.printf(Locale.ROOT, "tag-count: %d events, parallelism %d, %s, checkpoint interval %d ms: %s events/s"
              + " (the median run: %.2f s, %.0f ns CPU per event, %d checkpoints completed, JIT compiling %d ms);"
              + " %s%n", r.events(), r.parallelism(), r.guarantee(), r.checkpointIntervalMs(), stats.describeMillions(),
          r.seconds(), r.cpuNanosPerEvent(), r.checkpointsCompleted(), jitMillis[stats.medianIndex()],
          BenchRuns.describeEnvironment(loadBefore));
    }
    return 0;
  }

  /**
   * Unmeasured rounds, each one run of {@code --warmup} events per mode, until one during which the JIT compiled for
   * less than {@value #QUIET_JIT_PERCENT} % of its time, at most {@code --warmup-runs}; returns the JIT time of each
   * (where the JVM does not measure it, one round). None with {@code --warmup 0}.
   */
  private List<Long> warmUp(List<Mode> modes, boolean progress) throws Exception {
    List<Long> jit = new ArrayList<>();
    for (int i = 0; warmupEvents > 0 && i < warmupRuns; i++) {
      long jit0 = BenchRuns.jitMillis();
      double seconds = 0;
      for (Mode m : modes) {
        if (progress) {
          System.err.printf(Locale.ROOT, "warm-up run %d%s: %d events (not measured)...%n", i + 1,
              modes.size() > 1 ? ", " + m : "", warmupEvents);
        }
        TagCountBenchmark.Result r = TagCountBenchmark.run(warmupEvents, parallelism, m.guarantee(),
            m.checkpointIntervalMs(), m.readAhead());
        seconds += r.seconds();
        if (progress) {
          System.err.printf(Locale.ROOT, "warm-up run %d: %.0f events/s%n", i + 1, r.eventsPerSec());
        }
      }
      long ms = jit0 < 0 ? -1 : BenchRuns.jitMillis() - jit0;
      jit.add(ms);
      if (progress) {
        System.err.printf(Locale.ROOT, "warm-up %s %d: JIT compiling %d ms%n", modes.size() > 1 ? "round" : "run",
            i + 1, ms);
      }
      if (ms < 0 || ms * 100 < QUIET_JIT_PERCENT * seconds * 1000) {
        break;
      }
    }
    return jit;
  }

  /**
   * {@code --compare}: warm-up rounds over all modes, then {@code --runs} rounds of one run per mode, the order
   * rotated by one mode each round (so no mode always runs first, or right after the same one).
   */
  private int compare(List<Mode> modes) throws Exception {
    int m = modes.size();
    double loadBefore = BenchRuns.loadAverage();
    List<Long> warmupJit = warmUp(modes, true); // progress on stderr even with --json: stdout has the JSON alone
    double[][] rates = new double[m][runs];
    double[][] cpu = new double[m][runs];
    long[][] checkpoints = new long[m][runs];
    long[][] jit = new long[m][runs];
    for (int round = 0; round < runs; round++) {
      for (int k = 0; k < m; k++) {
        int i = (round + k) % m;
        Mode mode = modes.get(i);
        long jit0 = BenchRuns.jitMillis();
        TagCountBenchmark.Result r = TagCountBenchmark.run(events, parallelism, mode.guarantee(),
            mode.checkpointIntervalMs(), mode.readAhead());
        jit[i][round] = jit0 < 0 ? -1 : BenchRuns.jitMillis() - jit0;
        rates[i][round] = r.eventsPerSec();
        cpu[i][round] = r.cpuNanosPerEvent();
        checkpoints[i][round] = r.checkpointsCompleted();
        System.err.printf(Locale.ROOT, "round %d, %s: %.0f events/s, %.0f ns CPU per event, %d checkpoints, JIT"
                + " compiling %d ms (load average %.2f)%n", round + 1, mode, r.eventsPerSec(), r.cpuNanosPerEvent(),
            r.checkpointsCompleted(), jit[i][round], BenchRuns.loadAverage());
      }
    }
    BenchRuns first = new BenchRuns(rates[0]);
    ObjectNode o = new ObjectMapper().createObjectNode();
    o.put("job", "tag-count");
    o.put("compare", true);
    o.put("events", events);
    o.put("parallelism", parallelism);
    o.put("warmup_events", warmupEvents);
    o.put("warmup_rounds", warmupJit.size());
    var warmJit = o.putArray("warmup_jit_ms_rounds");
    warmupJit.forEach(warmJit::add);
    o.put("rounds", runs);
    var out = o.putArray("modes");
    StringBuilder text = new StringBuilder();
    text.append(String.format(Locale.ROOT, "tag-count compared: %d events, parallelism %d, %d rounds interleaved in"
        + " one JVM after %d warm-up round(s):%n", events, parallelism, runs, warmupJit.size()));
    for (int i = 0; i < m; i++) {
      Mode mode = modes.get(i);
      BenchRuns stats = new BenchRuns(rates[i]);
      double[] paired = new double[runs];
      for (int round = 0; round < runs; round++) {
        paired[round] = rates[i][round] / rates[0][round];
      }
      double pairedMedian = new BenchRuns(paired).median();
      double cpuMedian = new BenchRuns(cpu[i]).median();
      ObjectNode e = out.addObject();
      e.put("guarantee", mode.guarantee().name());
      e.put("checkpoint_interval_ms", mode.checkpointIntervalMs());
      if (mode.guarantee() == Guarantee.AT_MOST_ONCE) {
        e.put("read_ahead", mode.readAhead());
      }
      e.put("events_per_sec", stats.median());
      stats.putJson(e, "events_per_sec");
      e.put("cpu_ns_per_event", cpuMedian);
      var c = e.putArray("checkpoints_completed_runs");
      for (long n : checkpoints[i]) {
        c.add(n);
      }
      var j = e.putArray("jit_ms_runs");
      for (long ms : jit[i]) {
        j.add(ms);
      }
      e.put("to_first", stats.median() / first.median());
      e.put("to_first_paired", pairedMedian);
      text.append(String.format(Locale.ROOT, "  %s: %s events/s, %.0f ns CPU per event%s%n", mode,
          stats.describeMillions(), cpuMedian, i == 0 ? " (the baseline)" : String.format(Locale.ROOT,
              "; %+.1f %% against the baseline (median of the per-round ratios: %+.1f %%)",
              100 * (stats.median() / first.median() - 1), 100 * (pairedMedian - 1))));
    }
    BenchRuns.putEnvironment(o, loadBefore);
    if (json) {
      System.out.println(o);
    } else {
      System.out.print(text);
      System.out.println("  " + BenchRuns.describeEnvironment(loadBefore));
    }
    return 0;
  }

  /**
   * A run with metrics on ({@code events} >= 0) must have counted every event into the dashboard's registry; a run
   * with metrics off ({@code events} < 0) must not be there at all. Each run has its own pipeline name.
   */
  private static void requireScraped(String pipeline, long events) throws Exception {
    java.util.Optional<java.net.URI> url = dev.onceflow.dashboard.DashboardStartHook.url();
    if (url.isEmpty()) {
      if (events < 0) {
        return; // off, and no dashboard has started yet
      }
      throw new IllegalStateException("the dashboard did not start: metrics were not on");
    }
    java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(url.get().resolve("/metrics")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    String counted = "onceflow_source_records_total{pipeline=\"" + pipeline + "\"}";
    if (events >= 0 && !metrics.body().contains(counted + " " + (double) events)) {
      throw new IllegalStateException("the run with metrics on did not count all its events into the dashboard's"
          + " registry: no '" + counted + " " + (double) events + "' in " + url.get().resolve("/metrics"));
    }
    if (events < 0 && metrics.body().contains(counted)) {
      throw new IllegalStateException("the run with metrics off counted into the dashboard's registry: " + counted);
    }
  }

  /**
   * Pairs of runs, alternately without metrics (no registry: every meter is a no-op) and with the dashboard attached
   * (the start hook gives the pipeline the dashboard's Prometheus registry; the page samples it every second). The
   * warm-up runs with the dashboard on, so both sides run compiled code.
   */
  private int metricsCost(Guarantee g) throws Exception {
    String address = dashboardOption.dashboard != null ? dashboardOption.dashboard : "0";
    String property = dev.onceflow.dashboard.DashboardStartHook.PROPERTY;
    double loadBefore = BenchRuns.loadAverage();
    double[][] rates = new double[2][runs];
    double[][] cpu = new double[2][runs];
    try {
      System.setProperty(property, address);
      warmUp(List.of(new Mode(g, checkpointIntervalMs, readAhead)), true);
      for (int i = 0; i < runs; i++) {
        for (int side = 0; side < 2; side++) {
          if (side == 0) {
            System.clearProperty(property);
          } else {
            System.setProperty(property, address);
          }
          String name = "tag-count-" + (side == 0 ? "off-" : "on-") + (i + 1);
          TagCountBenchmark.Result r =
              TagCountBenchmark.run(name, events, parallelism, g, checkpointIntervalMs, readAhead);
          requireScraped(name, side == 1 ? events : -1);
          rates[side][i] = r.eventsPerSec();
          cpu[side][i] = r.cpuNanosPerEvent();
          System.err.printf(Locale.ROOT, "pair %d, metrics %s: %.0f events/s, %.0f ns CPU per event (load average"
              + " %.2f)%n", i + 1, side == 0 ? "off" : "on", r.eventsPerSec(), r.cpuNanosPerEvent(),
              BenchRuns.loadAverage());
        }
      }
    } finally {
      System.clearProperty(property);
    }
    BenchRuns off = new BenchRuns(rates[0]);
    BenchRuns on = new BenchRuns(rates[1]);
    double cpuOff = new BenchRuns(cpu[0]).median();
    double cpuOn = new BenchRuns(cpu[1]).median();
    if (json) {
      ObjectNode o = new ObjectMapper().createObjectNode();
      o.put("job", "tag-count");
      o.put("metrics_cost", true);
      o.put("events", events);
      o.put("guarantee", g.name());
      o.put("checkpoint_interval_ms", checkpointIntervalMs);
      o.put("pairs", runs);
      o.put("on_runs_scraped", true); // each "on" run showed all its events in /metrics, no "off" run appeared
      off.putJson(o, "off_events_per_sec");
      on.putJson(o, "on_events_per_sec");
      o.put("off_events_per_sec", off.median());
      o.put("on_events_per_sec", on.median());
      o.put("on_to_off", on.median() / off.median());
      o.put("off_cpu_ns_per_event", cpuOff);
      o.put("on_cpu_ns_per_event", cpuOn);
      BenchRuns.putEnvironment(o, loadBefore);
      System.out.println(o);
    } else {
      System.out.printf(Locale.ROOT, "tag-count metrics cost: %d events, %s, checkpoint interval %d ms, %d pairs:"
              + " metrics off %s events/s, %.0f ns CPU per event; on (dashboard) %s events/s, %.0f ns CPU per event;"
              + " on/off %.1f %% (events/s), %.1f %% (CPU per event); %s%n", events, g, checkpointIntervalMs, runs,
          off.describeMillions(), cpuOff, on.describeMillions(), cpuOn, 100 * on.median() / off.median(),
          100 * cpuOn / cpuOff, BenchRuns.describeEnvironment(loadBefore));
    }
    return 0;
  }
}
