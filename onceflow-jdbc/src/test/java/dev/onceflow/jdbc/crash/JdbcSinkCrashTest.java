package dev.onceflow.jdbc.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.jdbc.server.LocalPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real crashes against a real PostgreSQL: the pipeline runs in a child JVM, is SIGKILLed at seeded moments (after
 * records read, right after a sink subtask prepared a checkpoint, right after a checkpoint completed and before or
 * during its commit, after a commit) and started again on the same checkpoint directory until it finishes; then the
 * tables are compared with the expected values computed from the input. With -Psoak, many more kills.
 */
class JdbcSinkCrashTest {
  private static final int KILLS = 5;
  private static final int SOAK_KILLS = 80;
  private static final long EVENTS = 24_000;

  static LocalPostgres pg;
  private int round;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    pg = LocalPostgres.startTemporary();
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  private void reset(String job) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute("DROP TABLE IF EXISTS " + job);
      s.execute(CrashJobs.ddl(job));
      s.execute("DROP TABLE IF EXISTS onceflow_sink_progress");
      s.execute("DROP TABLE IF EXISTS onceflow_sink_progress_2pc");
    }
  }

  private ChildRunner.Result run(String job, String mode, String guarantee, long seed, List<String> jvm,
      java.util.function.Consumer<String> onLine) throws Exception {
    boolean transactional = mode.equals("exactly-once") || mode.equals("two-phase");
    return run(job, mode, guarantee, ChildRunner.schedule(seed, KILLS, transactional), jvm, onLine);
  }

  private ChildRunner.Result run(String job, String mode, String guarantee, List<ChildRunner.Trigger> triggers,
      List<String> jvm, java.util.function.Consumer<String> onLine) throws Exception {
    reset(job);
    Path ckpt = tmp.resolve("ckpt-" + (++round));
    Files.createDirectories(ckpt);
    List<String> opts = new ArrayList<>(List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info"));
    opts.addAll(jvm);
    ChildRunner runner = new ChildRunner(tmp.resolve("child.err"), opts).onLine(onLine);
    ChildRunner.Result r = runner.run(List.of(pg.jdbcUrl(), ckpt.toString(), job, mode, guarantee,
        Long.toString(EVENTS)), triggers, 120_000);
    System.out.println("crash test " + job + " " + mode + " " + guarantee + ": " + r.kills() + " kills, " + r.runs()
        + " runs");
    return r;
  }

  private static Map<String, Long> balances() throws Exception {
    Map<String, Long> m = new TreeMap<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT account, balance FROM ledger")) {
      while (r.next()) {
        m.put(r.getString(1), r.getLong(2));
      }
    }
    return m;
  }

  private static long scalar(String sql) throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement(); ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  @ParameterizedTest(name = "ledger {0}")
  @CsvSource({"exactly-once, 11", "two-phase, 12"})
  void runningBalancesAreExactThroughKills(String mode, long seed) throws Exception {
    ChildRunner.Result r = run("ledger", mode, "EXACTLY_ONCE", seed, List.of(), l -> {});
    assertTrue(r.kills() >= 3, "kills: " + r);
    assertEquals(CrashJobs.expectedBalances(EVENTS), balances(), "after " + r);
    assertEquals(0, scalar("SELECT count(*) FROM pg_prepared_xacts"), "nothing left prepared");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({"payments, insert-unique, 21", "payments, upsert, 22", "clicks, insert-unique, 23",
      "clicks, upsert, 24"})
  void idempotentSinksAreExactUnderAtLeastOnceThroughKills(String job, String mode, long seed) throws Exception {
    ChildRunner.Result r = run(job, mode, "AT_LEAST_ONCE", seed, List.of(), l -> {});
    assertTrue(r.kills() >= 3, "kills: " + r);
    assertEquals(EVENTS, scalar("SELECT count(*) FROM " + job), "after " + r);
    if (job.equals("payments")) {
      assertEquals(CrashJobs.expectedPaymentSum(EVENTS), scalar("SELECT sum(amount_cents) FROM payments"));
    } else {
      assertEquals(EVENTS, scalar("SELECT count(DISTINCT (session_id, event_timestamp_ms)) FROM clicks"));
      assertEquals(0, scalar("SELECT count(*) FROM clicks WHERE url <> '/p/' || "
          + "(((event_timestamp_ms - " + CrashJobs.CLICK_BASE_MS + ") * 97 + substr(session_id, 2)::bigint) % 11)"));
    }
  }

  /** -Psoak: 80 kills in each of four scenarios (320 in all), every result exact. */
  @Tag("soak")
  @Test
  void soak() throws Exception {
    int total = 0;
    String[][] scenarios = {{"ledger", "exactly-once", "EXACTLY_ONCE"}, {"ledger", "two-phase", "EXACTLY_ONCE"},
        {"payments", "insert-unique", "AT_LEAST_ONCE"}, {"clicks", "upsert", "AT_LEAST_ONCE"}};
    for (int i = 0; i < scenarios.length; i++) {
      String[] sc = scenarios[i];
      boolean transactional = !sc[2].equals("AT_LEAST_ONCE");
      // rounds on a fresh table and checkpoint directory until the scenario had its kills (a job finishes early)
      for (int kills = 0, seed = 1000 + 100 * i; kills < SOAK_KILLS; seed++) {
        ChildRunner.Result r = run(sc[0], sc[1], sc[2],
            ChildRunner.schedule(seed, Math.min(10, SOAK_KILLS - kills), transactional), List.of(), l -> {});
        kills += r.kills();
        total += r.kills();
        if (sc[0].equals("ledger")) {
          assertEquals(CrashJobs.expectedBalances(EVENTS), balances(), sc[1] + " after " + r);
        } else {
          assertEquals(EVENTS, scalar("SELECT count(*) FROM " + sc[0]), sc[1] + " after " + r);
        }
        if (r.kills() == 0) {
          break; // a round without a kill would loop forever
        }
      }
    }
    System.out.println("jdbc soak: " + total + " kills, every table exact");
    assertTrue(total >= 300, "kills: " + total);
  }

  /** The mutation: the exactly-once sink applies on the barrier, before the checkpoint completed. Must be caught. */
  @Test
  void applyingBeforeTheCheckpointCompletedIsCaught() throws Exception {
    ChildRunner.Result r = run("ledger", "exactly-once", "EXACTLY_ONCE", aimedAtBarriers(),
        List.of("-Donceflow.jdbc.mutation=apply-before-complete"), l -> {});
    assertTrue(r.kills() >= 3, "kills: " + r);
    assertNotEquals(CrashJobs.expectedBalances(EVENTS), balances(),
        "applying before completion must duplicate effects after a kill in between: " + r);
  }

  /** The same aimed kills without the mutation: exact, so the mutation test's inequality is the mutation's doing. */
  @Test
  void killsAimedJustAfterABarrierLoseAndDuplicateNothing() throws Exception {
    ChildRunner.Result r = run("ledger", "exactly-once", "EXACTLY_ONCE", aimedAtBarriers(), List.of(), l -> {});
    assertTrue(r.kills() >= 3, "kills: " + r);
    assertEquals(CrashJobs.expectedBalances(EVENTS), balances(), "after " + r);
  }

  /** Every kill aimed at the window the mutation opens: just after a subtask prepared, before completion. */
  private static List<ChildRunner.Trigger> aimedAtBarriers() {
    List<ChildRunner.Trigger> aimed = new ArrayList<>();
    for (int i = 0; i < KILLS; i++) {
      aimed.add(new ChildRunner.Trigger("BARRIER", 2 + i % 4, 0));
    }
    return aimed;
  }

  @ParameterizedTest(name = "PostgreSQL crash-restarted mid-run, ledger {0}")
  @CsvSource({"exactly-once", "two-phase"})
  void aPostgresRestartMidRunLosesAndDuplicatesNothing(String mode) throws Exception {
    AtomicInteger commits = new AtomicInteger();
    AtomicBoolean restarted = new AtomicBoolean();
    ChildRunner.Result r = run("ledger", mode, "EXACTLY_ONCE", 41, List.of(), line -> {
      if (line.startsWith("COMMITTED") && commits.incrementAndGet() == 5 && restarted.compareAndSet(false, true)) {
        try {
          pg.crashAndRestart(); // immediate stop: sessions die, crash recovery on start
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
    });
    assertTrue(restarted.get(), "the server was restarted: " + r);
    assertEquals(CrashJobs.expectedBalances(EVENTS), balances(), "after " + r);
    assertEquals(0, scalar("SELECT count(*) FROM pg_prepared_xacts"));
  }
}
