package dev.onceflow.dashboard;

import static dev.onceflow.core.metrics.MetricNames.*;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.metrics.CheckpointStats;
import dev.onceflow.core.metrics.RecoveryEvent;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * What the page shows: samples the registry once per interval into bounded series (rates from counter deltas) and
 * keeps the latest checkpoints and recovery events it heard as a listener. Thread-safe: listener calls come from the
 * job's threads, samples from its own thread, reads from the HTTP threads; everything is guarded by {@code this}.
 */
final class DashboardState implements JobListener {
  static final int MAX_POINTS = 600;
  static final int MAX_CHECKPOINTS = 120;
  static final int MAX_EVENTS = 200;
  /** key=value or key: value pairs whose key names a secret; the value is masked in anything shown. */
  private static final Pattern SECRET = Pattern.compile(
      "(?i)((?:password|passwd|pwd|secret|token|sasl[._a-z]*|jaas[._a-z]*|credentials?)\\s*[=:]\\s*)"
          + "(\"[^\"]*\"|'[^']*'|[^\\s,;&)'\"]+)");

  private final String pipeline;
  private final String guarantee;
  private final MeterRegistry registry;
  private final long intervalMillis;
  private final ObjectMapper json = new ObjectMapper();
  private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "onceflow-dashboard-sampler");
    t.setDaemon(true);
    return t;
  });
  private final ArrayDeque<Map<String, Object>> points = new ArrayDeque<>();
  private final ArrayDeque<CheckpointStats> checkpoints = new ArrayDeque<>();
  private final ArrayDeque<Map<String, Object>> events = new ArrayDeque<>();
  private final Map<String, Double> previous = new LinkedHashMap<>();
  private long previousNanos;
  private long checkpointsCompleted;
  private long checkpointsFailed;
  private volatile JobHandle handle;

  DashboardState(String pipeline, String guarantee, MeterRegistry registry, Duration interval) {
    this.pipeline = pipeline;
    this.guarantee = guarantee;
    this.registry = registry;
    this.intervalMillis = interval.toMillis();
  }

  void start() {
    sampler.scheduleAtFixedRate(this::sampleSafely, 0, intervalMillis, TimeUnit.MILLISECONDS);
  }

  void stop() {
    sampler.shutdownNow();
  }

  void watch(JobHandle h) {
    this.handle = h;
  }

  static String redact(String s) {
    return s == null ? null : SECRET.matcher(s).replaceAll("$1***");
  }

  @Override
  public synchronized void onCheckpointStats(CheckpointStats stats) {
    if (stats.completed()) {
      checkpointsCompleted++;
    } else {
      checkpointsFailed++;
    }
    checkpoints.addLast(stats);
    while (checkpoints.size() > MAX_CHECKPOINTS) {
      checkpoints.removeFirst();
    }
  }

  @Override
  public synchronized void onRecovery(RecoveryEvent e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("at", e.atMillis());
    m.put("kind", e.kind().name());
    m.put("attempt", e.attempt());
    m.put("cause", redact(e.cause()));
    m.put("checkpoint", e.checkpointId());
    m.put("committed", e.transactionsCommitted());
    m.put("resolved", e.subtasksResolved());
    events.addLast(m);
    while (events.size() > MAX_EVENTS) {
      events.removeFirst();
    }
  }

  private void sampleSafely() {
    try {
      sample();
    } catch (RuntimeException e) {
      org.slf4j.LoggerFactory.getLogger(DashboardState.class).warn("Dashboard sample failed", e);
    }
  }

  /** One point: counters as rates per second since the previous point, gauges as they are. */
  synchronized void sample() {
    long now = System.nanoTime();
    double seconds = previousNanos == 0 ? 0 : (now - previousNanos) / 1e9;
    previousNanos = now;
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("t", System.currentTimeMillis());
    p.put("source", rate("source", counter(SOURCE_RECORDS, null), seconds));
    p.put("sink", rate("sink", counter(SINK_RECORDS, null), seconds));
    Map<String, Double> stageRates = new TreeMap<>();
    Map<String, Double> blocked = new TreeMap<>();
    for (FunctionCounter c : registry.find(STAGE_RECORDS_IN).functionCounters()) {
      String stage = c.getId().getTag("stage");
      stageRates.put(stage, rate("in:" + stage, c.count(), seconds));
    }
    for (FunctionCounter c : registry.find(CHANNEL_BLOCKED).functionCounters()) {
      String stage = c.getId().getTag("stage");
      blocked.put(stage, rate("blocked:" + stage, c.count(), seconds)); // seconds blocked per second
    }
    p.put("stages", stageRates);
    p.put("operators", operatorRates(seconds));
    p.put("blocked", blocked);
    Map<String, Double> lag = new TreeMap<>();
    double lagTotal = 0;
    for (Gauge g : registry.find(SOURCE_LAG).gauges()) {
      double v = g.value();
      if (!Double.isNaN(v)) {
        lag.put(g.getId().getTag("partition"), v);
        lagTotal += v;
      }
    }
    p.put("lag", lag);
    p.put("lagTotal", lagTotal);
    p.put("pending", gaugeSum(SINK_PENDING_TRANSACTIONS));
    points.addLast(p);
    while (points.size() > MAX_POINTS) {
      points.removeFirst();
    }
  }

  /**
   * The user operators (also those chained inside a stage) in stage order, then by operator id: each with its stage,
   * kind and records in/out per second.
   */
  private List<Map<String, Object>> operatorRates(double seconds) {
    List<Map<String, Object>> ops = new ArrayList<>();
    for (FunctionCounter c : registry.find(OPERATOR_RECORDS_IN).functionCounters()) {
      String id = c.getId().getTag("operator");
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("operator", id);
      o.put("kind", c.getId().getTag("kind"));
      o.put("stage", c.getId().getTag("stage"));
      o.put("in", rate("op-in:" + id, c.count(), seconds));
      FunctionCounter out = registry.find(OPERATOR_RECORDS_OUT).tag("operator", id).functionCounter();
      o.put("out", out == null ? 0.0 : rate("op-out:" + id, out.count(), seconds));
      ops.add(o);
    }
    ops.sort(java.util.Comparator.comparingInt((Map<String, Object> o) -> stageIndex((String) o.get("stage")))
        .thenComparingInt(o -> digits((String) o.get("operator"))));
    return ops;
  }

  /** {@code s3:map>keyBy} -> 3. */
  private static int stageIndex(String stage) {
    int colon = stage == null ? -1 : stage.indexOf(':');
    return colon < 0 ? Integer.MAX_VALUE : digits(stage.substring(0, colon));
  }

  private static int digits(String s) {
    String d = s == null ? "" : s.replaceAll("\\D", "");
    return d.isEmpty() ? Integer.MAX_VALUE : Integer.parseInt(d);
  }

  private double rate(String key, double value, double seconds) {
    Double before = previous.put(key, value);
    if (before == null || seconds <= 0) {
      return 0;
    }
    return Math.max(0, value - before) / seconds;
  }

  private double counter(String name, String tag) {
    double sum = 0;
    for (FunctionCounter c : registry.find(name).functionCounters()) {
      sum += c.count();
    }
    return sum;
  }

  /** The sum over every sink's gauge. */
  private double gaugeSum(String name) {
    double sum = 0;
    for (Gauge g : registry.find(name).gauges()) {
      sum += g.value();
    }
    return sum;
  }

  /** The gauge's value, or {@code absent} before the job registered it. */
  private double gauge(String name, double absent) {
    Gauge g = registry.find(name).gauge();
    return g == null ? absent : g.value();
  }

  private double counterSum(String name) {
    double sum = 0;
    for (var c : registry.find(name).counters()) {
      sum += c.count();
    }
    return sum;
  }

  /** The whole state as JSON for the page. */
  synchronized byte[] json() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("pipeline", pipeline);
    m.put("guarantee", guarantee);
    JobHandle h = handle;
    m.put("status", h == null ? "RUNNING" : h.status().name());
    m.put("checkpointsCompleted", checkpointsCompleted);
    m.put("checkpointsFailed", checkpointsFailed);
    m.put("lastCheckpoint", gauge(LAST_CHECKPOINT, -1));
    m.put("restoredCheckpoint", gauge(RESTORED_CHECKPOINT, -1));
    m.put("restarts", counterSum(RESTARTS));
    m.put("sourceRecords", counter(SOURCE_RECORDS, null));
    m.put("sinkRecords", counter(SINK_RECORDS, null));
    m.put("deadLettered", counter(SOURCE_DEAD_LETTERED, null));
    m.put("dedupAbsorbed", counter(DEDUP_ABSORBED, null));
    m.put("pendingTransactions", gaugeSum(SINK_PENDING_TRANSACTIONS));
    m.put("transactionsAborted", counterSum(SINK_TRANSACTIONS_ABORTED));
    m.put("sink", registry.find(SINK_RECORDS).functionCounters().stream().findFirst()
        .map(c -> c.getId().getTag("sink")).orElse("sink"));
    List<Map<String, Object>> cps = new ArrayList<>();
    for (CheckpointStats s : checkpoints) {
      Map<String, Object> c = new LinkedHashMap<>();
      c.put("id", s.id());
      c.put("final", s.finalCheckpoint());
      c.put("at", s.triggeredAtMillis());
      c.put("durationMs", s.durationNanos() / 1e6);
      c.put("acknowledgeMs", s.acknowledgeNanos() / 1e6);
      c.put("barrierStartMs", s.barrierStartNanos() / 1e6);
      c.put("alignmentMs", s.alignmentNanos() / 1e6);
      c.put("syncSnapshotMs", s.syncSnapshotNanos() / 1e6);
      c.put("snapshotWriteMs", s.snapshotWriteNanos() / 1e6);
      c.put("metadataWriteMs", s.metadataWriteNanos() / 1e6);
      c.put("sinkCommitMs", s.sinkCommitNanos() / 1e6);
      c.put("sizeBytes", s.sizeBytes());
      c.put("pending", s.pendingTransactions());
      c.put("failure", s.failure() == null ? null : s.failure().tag());
      cps.add(c);
    }
    m.put("checkpoints", cps);
    m.put("recovery", new ArrayList<>(events));
    m.put("series", new ArrayList<>(points));
    try {
      return json.writeValueAsBytes(m);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot render the dashboard state as JSON", e);
    }
  }
}
