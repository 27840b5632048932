package dev.onceflow.cli;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.jdbc.JdbcSink;
import dev.onceflow.jdbc.JdbcSinkBuilder;
import dev.onceflow.jdbc.server.LocalPostgres;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow bench postgres}: rows/s of each JDBC sink mode at parallelism 2 with 100-byte rows, at 1 s and
 * 100 ms checkpoints, each measured right after the limit it is compared with: a plain JDBC batched insert loop (one
 * thread and connection per subtask, the same rows, reWriteBatchedInserts, a commit per 1,024 rows). The machine may be
 * shared, so each scenario is a pair (plain loop, then the sink) repeated {@code --runs} times, interleaved with the
 * other scenarios; the summary gives the median rate and the median of the pairs' ratios, with the load average before
 * and after. For reference, the same loop sending the upsert's own statement ({@code ON CONFLICT DO UPDATE}) shows
 * what PostgreSQL itself charges for an upsert, and a loop sending the sinks' own array statement ({@code INSERT ..
 * SELECT .. FROM unnest(?::int8[], ?::text[])}, one statement per 1,024 rows) shows where the sinks' statements stand
 * against the limit's rewritten multi-row VALUES.
 */
@Command(name = "postgres", mixinStandardHelpOptions = true,
    description = "Benchmark the PostgreSQL sinks (upsert, insert-unique, exactly-once, two-phase) against a plain "
        + "JDBC batched insert loop, on a throwaway local server (or --url).")
final class BenchPostgresCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--rows", defaultValue = "400000", description = "Rows per scenario. Default ${DEFAULT-VALUE}.")
  long rows;

  @Option(names = "--runs", defaultValue = "3",
      description = "Pairs (plain loop, sink) per scenario, interleaved; the median is reported. Default ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--url", description = "Use this server instead of starting one (tables bench_* are dropped).")
  String url;

  private static final int PARALLELISM = 2;
  private static final String PAYLOAD = "x".repeat(84); // + 8-byte id + row overhead: ~100-byte rows
  private static final List<String> MODES = List.of("upsert", "insert-unique", "exactly-once", "two-phase");
  private static final String PLAIN_INSERT = "INSERT INTO bench_rows (id, payload) VALUES (?, ?)";
  private static final String PLAIN_UPSERT = "INSERT INTO bench_rows AS t (id, payload) VALUES (?, ?) ON CONFLICT (id)"
      + " DO UPDATE SET payload = EXCLUDED.payload";
  /** The plain insert the sinks send first for a batch of new keys (onceflow-jdbc's RowApplier). */
  static final String PLAIN_ARRAY_INSERT = "INSERT INTO bench_rows AS t (id, payload) SELECT u.c0, u.c1 FROM "
      + "unnest(?::int8[], ?::text[]) AS u(c0, c1)";

  record Row(long id, String payload) {}

  @Override
  public Integer call() throws Exception {
    if (runs < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--runs must be >= 1, was " + runs);
    }
    PrintWriter out = spec.commandLine().getOut();
    LocalPostgres pg = url == null ? LocalPostgres.startTemporary() : null;
    String jdbcUrl = url != null ? url : pg.jdbcUrl();
    Path ckptRoot = Files.createTempDirectory("onceflow-bench-pg");
    try {
      double loadBefore = loadAverage();
      out.printf("onceflow bench postgres: %d cores, parallelism %d, %d rows of ~100 B per scenario, %d interleaved "
          + "runs, load average (1 min) before: %.1f%n", Runtime.getRuntime().availableProcessors(), PARALLELISM, rows,
          runs, loadBefore);
      out.printf("%-44s %4s %12s %12s %9s%n", "scenario", "run", "plain rows/s", "rows/s", "vs plain");
      out.flush();
      Map<String, List<double[]>> results = new LinkedHashMap<>();
      List<Duration> intervals = List.of(Duration.ofSeconds(1), Duration.ofMillis(100));
      for (int run = 1; run <= runs; run++) {
        for (Duration interval : intervals) {
          for (String mode : MODES) {
            double plain = plainLoop(jdbcUrl, PLAIN_INSERT);
            double rate = pipeline(jdbcUrl, mode, interval, ckptRoot.resolve(mode + "-" + interval.toMillis() + "-"
                + run));
            record(out, results, mode + ", checkpoints " + interval.toMillis() + " ms", run, plain, rate);
          }
        }
        double plain = plainLoop(jdbcUrl, PLAIN_INSERT);
        record(out, results, "plain loop sending the upsert statement", run, plain, plainLoop(jdbcUrl, PLAIN_UPSERT));
        plain = plainLoop(jdbcUrl, PLAIN_INSERT);
        record(out, results, "plain loop sending the sinks' array insert", run, plain,
            plainLoop(jdbcUrl, PLAIN_ARRAY_INSERT));
      }
      double loadAfter = loadAverage();
      out.printf("%nmedians over %d runs (load average before %.1f, after %.1f, %d cores):%n", runs, loadBefore,
          loadAfter, Runtime.getRuntime().availableProcessors());
      out.printf("%-44s %12s %12s %9s %15s%n", "scenario", "plain rows/s", "rows/s", "vs plain", "pairs min-max");
      for (var e : results.entrySet()) {
        List<double[]> r = e.getValue();
        double[] ratios = r.stream().mapToDouble(x -> x[1] / x[0]).sorted().toArray();
        out.printf("%-44s %12.0f %12.0f %8.0f%% %7.0f-%3.0f %%%n", e.getKey(), median(r, 0), median(r, 1),
            100 * median(ratios), 100 * ratios[0], 100 * ratios[ratios.length - 1]);
      }
      out.flush();
      return 0;
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
  }

  private static void record(PrintWriter out, Map<String, List<double[]>> results, String scenario, int run,
      double plain, double rate) {
    results.computeIfAbsent(scenario, k -> new ArrayList<>()).add(new double[] {plain, rate});
    out.printf("%-44s %4d %12.0f %12.0f %8.0f%%%n", scenario, run, plain, rate, 100.0 * rate / plain);
    out.flush();
  }

  private static double median(List<double[]> r, int column) {
    return median(r.stream().mapToDouble(x -> x[column]).sorted().toArray());
  }

  private static double median(double[] sorted) {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  private static double loadAverage() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private void resetTable(String jdbcUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_rows");
      s.execute("CREATE TABLE bench_rows (id bigint PRIMARY KEY, payload text NOT NULL)");
      s.execute("CHECKPOINT");
    }
  }

  private double plainLoop(String jdbcUrl, String sql) throws Exception {
    resetTable(jdbcUrl);
    Properties props = new Properties();
    props.setProperty("reWriteBatchedInserts", "true");
    List<Thread> threads = new ArrayList<>();
    AtomicReference<Exception> failure = new AtomicReference<>();
    long t0 = System.nanoTime();
    for (int t = 0; t < PARALLELISM; t++) {
      long from = rows * t / PARALLELISM;
      long to = rows * (t + 1) / PARALLELISM;
      Thread th = new Thread(() -> {
        try (Connection c = DriverManager.getConnection(jdbcUrl, props);
            PreparedStatement ps = c.prepareStatement(sql)) {
          c.setAutoCommit(false);
          if (sql.equals(PLAIN_ARRAY_INSERT)) {
            arrayLoop(c, ps, from, to);
            return;
          }
          int n = 0;
          for (long i = from; i < to; i++) {
            ps.setLong(1, i);
            ps.setString(2, PAYLOAD);
            ps.addBatch();
            if (++n == 1024) {
              ps.executeBatch();
              c.commit();
              n = 0;
            }
          }
          ps.executeBatch();
          c.commit();
        } catch (Exception e) {
          failure.compareAndSet(null, e);
        }
      });
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    if (failure.get() != null) {
      throw failure.get();
    }
    return rows / ((System.nanoTime() - t0) / 1e9);
  }

  /** The loop with one array statement per 1,024 rows (the same rows and commits as the batched loop). */
  private static void arrayLoop(Connection c, PreparedStatement ps, long from, long to) throws Exception {
    for (long i = from; i < to; i += 1024) {
      int n = (int) Math.min(1024, to - i);
      Long[] ids = new Long[n];
      String[] payloads = new String[n];
      for (int k = 0; k < n; k++) {
        ids[k] = i + k;
        payloads[k] = PAYLOAD;
      }
      ps.setArray(1, c.createArrayOf("int8", ids));
      ps.setArray(2, c.createArrayOf("text", payloads));
      ps.executeUpdate();
      c.commit();
    }
  }

  private double pipeline(String jdbcUrl, String mode, Duration interval, Path ckpt) throws Exception {
    resetTable(jdbcUrl);
    JdbcSinkBuilder<Row> b = JdbcSink.<Row>into(JdbcConnection.url(jdbcUrl), "bench_rows").name("bench-" + mode + "-" + interval.toMillis())
        .columns("id", "payload").key("id").mapper(r -> new Object[] {r.id(), r.payload()});
    Sink<Row> sink = switch (mode) {
      case "upsert" -> b.upsert();
      case "insert-unique" -> b.insertUnique();
      case "exactly-once" -> b.exactlyOnce();
      case "two-phase" -> b.twoPhase();
      default -> throw new IllegalArgumentException(mode);
    };
    Guarantee g = mode.equals("exactly-once") || mode.equals("two-phase") ? Guarantee.EXACTLY_ONCE
        : Guarantee.AT_LEAST_ONCE;
    Pipeline p = Onceflow.pipeline("bench-pg-" + mode + "-" + interval.toMillis() + "-" + System.nanoTime()).guarantee(g).parallelism(PARALLELISM)
        .checkpointInterval(interval).checkpointDir(ckpt).restartStrategy(RestartStrategy.noRestart());
    p.source(GeneratorSource.of(rows, i -> new Row(i, PAYLOAD))).sinkTo(sink);
    long t0 = System.nanoTime();
    JobHandle job = p.start();
    job.join();
    double rate = rows / ((System.nanoTime() - t0) / 1e9);
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement();
        var r = s.executeQuery("SELECT count(*) FROM bench_rows")) {
      r.next();
      if (r.getLong(1) != rows) {
        throw new IllegalStateException(mode + ": the table has " + r.getLong(1) + " rows, expected " + rows);
      }
    }
    return rate;
  }
}
