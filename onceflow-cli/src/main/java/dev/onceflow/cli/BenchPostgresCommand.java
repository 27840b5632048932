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
import java.util.List;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow bench postgres}: rows/s of each JDBC sink mode at parallelism 2 with 100-byte rows, at 1 s and
 * 100 ms checkpoints, beside the limit measured in the same run: a plain JDBC batched insert loop (one thread per
 * subtask, reWriteBatchedInserts, a commit per batch).
 */
@Command(name = "postgres", mixinStandardHelpOptions = true,
    description = "Benchmark the PostgreSQL sinks (upsert, insert-unique, exactly-once, two-phase) against a plain "
        + "JDBC batched insert loop, on a throwaway local server (or --url).")
final class BenchPostgresCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--rows", defaultValue = "400000", description = "Rows per scenario. Default ${DEFAULT-VALUE}.")
  long rows;

  @Option(names = "--url", description = "Use this server instead of starting one (tables bench_* are dropped).")
  String url;

  private static final int PARALLELISM = 2;
  private static final String PAYLOAD = "x".repeat(84); // + 8-byte id + row overhead: ~100-byte rows

  record Row(long id, String payload) {}

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalPostgres pg = url == null ? LocalPostgres.startTemporary() : null;
    String jdbcUrl = url != null ? url : pg.jdbcUrl();
    Path ckptRoot = Files.createTempDirectory("onceflow-bench-pg");
    try {
      out.printf("onceflow bench postgres: %d cores, parallelism %d, %d rows of ~100 B per scenario%n",
          Runtime.getRuntime().availableProcessors(), PARALLELISM, rows);
      out.printf("%-40s %10s %12s %10s%n", "scenario", "seconds", "rows/s", "vs plain");
      out.flush();
      for (Duration interval : List.of(Duration.ofSeconds(1), Duration.ofMillis(100))) {
        // the limit is measured again before each group: on a shared machine a single early number misleads
        double plain = plainLoop(jdbcUrl);
        out.printf("%-40s %10.2f %12.0f %9.0f%%%n", "plain JDBC batched insert loop (2 thr)", rows / plain, plain,
            100.0);
        out.flush();
        for (String mode : List.of("upsert", "insert-unique", "exactly-once", "two-phase")) {
          double rate = pipeline(jdbcUrl, mode, interval, ckptRoot.resolve(mode + "-" + interval.toMillis()));
          out.printf("%-40s %10.2f %12.0f %9.0f%%%n", mode + ", checkpoints " + interval.toMillis() + " ms",
              rows / rate, rate, 100.0 * rate / plain);
          out.flush();
        }
      }
      return 0;
    } finally {
      if (pg != null) {
        pg.close();
      }
    }
  }

  private void resetTable(String jdbcUrl) throws Exception {
    try (Connection c = DriverManager.getConnection(jdbcUrl); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS bench_rows");
      s.execute("CREATE TABLE bench_rows (id bigint PRIMARY KEY, payload text NOT NULL)");
      s.execute("CHECKPOINT");
    }
  }

  private double plainLoop(String jdbcUrl) throws Exception {
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
            PreparedStatement ps = c.prepareStatement("INSERT INTO bench_rows (id, payload) VALUES (?, ?)")) {
          c.setAutoCommit(false);
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
