package dev.onceflow.verify.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.jdbc.server.LocalPostgres;
import dev.onceflow.verify.CrashSchedule;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.Nemeses;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The verifier on a real PostgreSQL (one throwaway server for the class, from the machine's packages): each job's
 * output goes to a table through one of onceflow-jdbc's sinks, the pipeline JVM is SIGKILLed at seeded moments, and
 * the checker reads the committed table.
 */
class PostgresVerifierTest {
  static LocalPostgres pg;

  @BeforeAll
  static void start() throws IOException {
    pg = LocalPostgres.startTemporary();
  }

  @AfterAll
  static void stop() throws IOException {
    pg.close();
  }

  static IoOptions io(PostgresSinkMode mode) {
    return IoOptions.LOG.withOutput(PostgresIo.STORE).with(PostgresIo.URL, pg.jdbcUrl())
        .with(PostgresIo.MODE, mode.cliName());
  }

  static VerifyOptions options(Job job, Guarantee g, PostgresSinkMode mode, long events, int kills, long seed) {
    return VerifyOptions.of(job, g, events, kills, seed).withIo(io(mode));
  }

  private static void assertExact(VerifyResult r, int minKills) {
    System.out.println("verify postgres " + r.options().job().cliName() + " " + r.options().guarantee() + " "
        + r.options().io().settings().get(PostgresIo.MODE) + ": " + r.crashes() + " kills, " + r.jobRestarts()
        + " in-process restarts, lost " + r.check().lost() + ", duplicated " + r.check().duplicated() + ", exact "
        + r.check().exact() + ", lingering " + r.lingeringPrepared() + ", " + r.killsByPhase());
    assertTrue(r.crashes() >= minKills, () -> "only " + r.crashes() + " kills: " + r.kills());
    assertTrue(r.promiseHeld(), r::toJson);
    assertEquals(0, r.check().lost(), r::toJson);
    assertEquals(0, r.check().duplicated(), r::toJson);
    assertTrue(r.check().exact(), r::toJson);
    assertEquals(0, r.lingeringPrepared(), r::toJson);
  }

  /**
   * Every sink mode with kills, and the required results: the ledger's running balances exact under the
   * transactional modes, payments (idempotency key) and clicks (composite key) exact under AT_LEAST_ONCE with
   * insert-unique and upsert (the other two pairs run in the soak), tag-count's hourly counts exact with upsert under
   * EXACTLY_ONCE (under AT_LEAST_ONCE: {@link #tagCountUpsertUnderAtLeastOnceIsExact}).
   */
  @ParameterizedTest(name = "{0} {1} {2}")
  @CsvSource({
      "LEDGER, EXACTLY_ONCE, EXACTLY_ONCE, 12000, 3",
      "LEDGER, EXACTLY_ONCE, TWO_PHASE, 12000, 4",
      "PAYMENTS, AT_LEAST_ONCE, INSERT_UNIQUE, 10000, 5",
      "CLICKS, AT_LEAST_ONCE, UPSERT, 10000, 6",
      "TAG_COUNT, EXACTLY_ONCE, UPSERT, 10000, 7"})
  void sinkModeKeepsItsPromiseUnderKills(Job job, Guarantee g, PostgresSinkMode mode, long events, long seed)
      throws Exception {
    VerifyResult r = Verifier.run(options(job, g, mode, events, 5, seed));
    assertExact(r, 3);
    assertEquals(0, r.jobRestarts(), "no attempt may fail on its own without a server restart: " + r.toJson());
  }

  /**
   * Tag-count's hourly counts with upsert under AT_LEAST_ONCE, exact with kills (three seeds): the upsert sink asks
   * for aligned snapshots ({@code Sink.needsAlignedSnapshots()}), so a restored window state never holds a record
   * from past the restored source positions and the replay writes the same counts again. Without the alignment (the
   * engine's default unaligned at-least-once barriers) a restored window can already hold records the replay counts
   * again, and the upsert writes that overcount (128 and 96 were seen). To see it fail, run with
   * {@code -Dpg.mutation=unaligned}: the children then run with onceflow-jdbc's test-only mutation that drops the
   * sink's request for alignment ({@link UnalignedChild}).
   */
  @ParameterizedTest(name = "seed {0}")
  @CsvSource({"7", "21", "33"})
  void tagCountUpsertUnderAtLeastOnceIsExact(long seed) throws Exception {
    VerifyOptions o = options(Job.TAG_COUNT, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.UPSERT, 10_000, 5, seed);
    if ("unaligned".equals(System.getProperty("pg.mutation"))) {
      o = o.withChildMainClass(UnalignedChild.class.getName());
    }
    VerifyResult r = Verifier.run(o);
    System.out.println("verify postgres tag-count AT_LEAST_ONCE upsert seed " + seed + ": " + r.crashes()
        + " kills, lost " + r.check().lost() + ", overcounted " + r.check().duplicated() + ", exact "
        + r.check().exact());
    assertExact(r, 3);
  }

  /**
   * The server restarted mid-run (fast shutdown for the exactly-once sink: its applies retry on a new connection;
   * an immediate stop, i.e. crash recovery, for two-phase: its open transaction dies, the attempt fails and recovers
   * in process), on top of two kills: still exact.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource({"EXACTLY_ONCE, false", "TWO_PHASE, true"})
  void serverRestartMidRun(PostgresSinkMode mode, boolean crash) throws Exception {
    AtomicInteger commits = new AtomicInteger();
    AtomicReference<Thread> restart = new AtomicReference<>();
    AtomicReference<Throwable> failed = new AtomicReference<>();
    VerifyOptions o = options(Job.LEDGER, Guarantee.EXACTLY_ONCE, mode, 12_000, 2, 11);
    VerifyResult r = Verifier.run(o, CrashSchedule.fromSeed(11, 2), line -> {
      if (line.startsWith("COMMIT") && commits.incrementAndGet() == 6) {
        Thread t = new Thread(() -> {
          try {
            if (crash) {
              pg.crashAndRestart();
            } else {
              pg.restart();
            }
          } catch (Throwable e) {
            failed.set(e);
          }
        }, "pg-restart");
        restart.set(t);
        t.start();
      }
    });
    assertTrue(restart.get() != null, "the server restart never happened (fewer than 6 commits)");
    restart.get().join();
    assertEquals(null, failed.get());
    System.out.println("server restart (" + (crash ? "immediate" : "fast") + ") with " + mode + ": "
        + r.jobRestarts() + " in-process restarts");
    assertExact(r, 1);
  }

  /**
   * The freeze nemesis: the pipeline SIGSTOPped, a second one started on the same directories, the first resumed.
   * On one machine the embedded input log's lock refuses the second (the sink's own fencing is proven by
   * {@link ZombieWriterFailoverTest}, where the second runs on a copy); nothing changes.
   */
  @Test
  void freezesChangeNothing() throws Exception {
    VerifyResult r = Verifier.run(options(Job.LEDGER, Guarantee.EXACTLY_ONCE, PostgresSinkMode.TWO_PHASE, 12_000, 2,
        3).withNemeses(Nemeses.NONE.withFreezes(2)));
    List<NemesisEvent> freezes = r.events().stream().filter(e -> e.nemesis().equals("freeze")).toList();
    System.out.println("freezes: " + freezes);
    assertEquals(2, freezes.size(), r::toJson);
    assertTrue(freezes.stream().allMatch(NemesisEvent::held), r::toJson);
    assertExact(r, 1);
  }

  /**
   * Mutation: the exactly-once sink applies on the barrier, before the checkpoint completed. Kills aimed right after
   * a sink subtask prepared: rows already applied are replayed, and the checker must report the broken promise.
   */
  @Test
  void applyBeforeCompletionIsCaught() throws Exception {
    CrashSchedule schedule = new CrashSchedule(List.of(
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 6, 300),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 5, 300),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 7, 300)));
    VerifyResult r = Verifier.run(options(Job.LEDGER, Guarantee.EXACTLY_ONCE, PostgresSinkMode.EXACTLY_ONCE, 12_000,
        3, 1).withChildMainClass(ApplyEarlyChild.class.getName()), schedule, line -> {});
    System.out.println("mutation apply-before-complete: " + r.crashes() + " kills, lost " + r.check().lost()
        + ", duplicated " + r.check().duplicated() + ", exact " + r.check().exact() + ", problems "
        + r.check().problems());
    assertTrue(r.crashes() >= 2, r.kills()::toString);
    assertFalse(r.promiseHeld(), r::toJson);
    assertTrue(r.check().duplicated() > 0 || r.check().lost() > 0 || !r.check().exact(), r::toJson);
    deleteRecursively(r.workDir());
  }

  /** A combination that cannot hold is refused before anything runs, naming the modes that can. */
  @Test
  void refusesWhatCannotHold() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Verifier.run(
        options(Job.LEDGER, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.INSERT_UNIQUE, 100, 0, 1)));
    assertTrue(e.getMessage().contains("--sink-mode upsert") && e.getMessage().contains("two-phase"),
        e.getMessage());
    IllegalArgumentException pw = assertThrows(IllegalArgumentException.class, () -> Verifier.run(
        VerifyOptions.of(Job.PAYMENTS, Guarantee.AT_LEAST_ONCE, 100, 0, 1).withIo(IoOptions.LOG
            .withOutput(PostgresIo.STORE).with(PostgresIo.URL, pg.jdbcUrl() + "&password=secret"))));
    assertTrue(pw.getMessage().contains("PGPASSWORD") && !pw.getMessage().contains("secret"), pw.getMessage());
  }

  static void deleteRecursively(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
