package dev.onceflow.verify.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.jdbc.server.LocalPostgres;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Soak of the verifier on PostgreSQL (-Psoak): at least 300 SIGKILLs over every sink mode, the configurations in
 * turn, 15,000 events and 20 planned kills per run; every promise held, every exactly-once and idempotent table exact
 * (tag-count's counts with upsert under AT_LEAST_ONCE too: the sink asks for aligned snapshots; the ledger's running
 * balances under AT_LEAST_ONCE are only held to the at-least-once promise), nothing left prepared.
 */
@Tag("soak")
class PostgresSoakTest {
  private static final int MIN_KILLS = 300;
  static LocalPostgres pg;

  record Config(Job job, Guarantee guarantee, PostgresSinkMode mode, boolean exact) {}

  // tag-count at-least-once first: with ~17 runs it comes round twice
  private static final List<Config> CONFIGS = List.of(
      new Config(Job.TAG_COUNT, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.UPSERT, true),
      new Config(Job.LEDGER, Guarantee.EXACTLY_ONCE, PostgresSinkMode.EXACTLY_ONCE, true),
      new Config(Job.LEDGER, Guarantee.EXACTLY_ONCE, PostgresSinkMode.TWO_PHASE, true),
      new Config(Job.PAYMENTS, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.INSERT_UNIQUE, true),
      new Config(Job.CLICKS, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.UPSERT, true),
      new Config(Job.PAYMENTS, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.UPSERT, true),
      new Config(Job.CLICKS, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.INSERT_UNIQUE, true),
      new Config(Job.TAG_COUNT, Guarantee.EXACTLY_ONCE, PostgresSinkMode.UPSERT, true),
      new Config(Job.LEDGER, Guarantee.AT_LEAST_ONCE, PostgresSinkMode.UPSERT, false));

  @BeforeAll
  static void start() throws Exception {
    pg = LocalPostgres.startTemporary();
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  @Test
  void threeHundredKillsOverTheSinkModes() throws Exception {
    long seed = System.nanoTime() & 0xFFFF;
    System.out.println("postgres soak seed " + seed);
    int kills = 0;
    int runs = 0;
    long expected = 0;
    long lost = 0;
    long duplicated = 0;
    Map<String, Integer> killsPerConfig = new TreeMap<>();
    long start = System.nanoTime();
    while (kills < MIN_KILLS) {
      Config c = CONFIGS.get(runs % CONFIGS.size());
      VerifyOptions o = VerifyOptions.of(c.job(), c.guarantee(), 15_000, 20, seed + runs)
          .withIo(IoOptions.LOG.withOutput(PostgresIo.STORE).with(PostgresIo.URL, pg.jdbcUrl())
              .with(PostgresIo.MODE, c.mode().cliName()));
      VerifyResult r = Verifier.run(o);
      runs++;
      kills += r.crashes();
      expected += r.check().effectsExpected();
      lost += r.check().lost();
      duplicated += r.check().duplicated();
      killsPerConfig.merge(c.job().cliName() + "/" + c.guarantee() + "/" + c.mode().cliName(), r.crashes(),
          Integer::sum);
      System.out.println("postgres soak run " + runs + " " + c + ": " + r.crashes() + " kills (total " + kills
          + "), lost " + r.check().lost() + ", duplicated " + r.check().duplicated() + ", exact "
          + r.check().exact() + ", lingering " + r.lingeringPrepared() + ", " + r.killsByPhase());
      assertTrue(r.promiseHeld(), r::toJson);
      assertEquals(0, r.lingeringPrepared(), r::toJson);
      if (c.exact()) {
        assertTrue(r.check().exact(), r::toJson);
      }
    }
    System.out.printf("postgres soak: %d runs, %d SIGKILLs, %d expected effects, %d lost, %d duplicated"
        + " (at-least-once only), %.0f s; kills per configuration %s%n", runs, kills, expected, lost, duplicated,
        (System.nanoTime() - start) / 1e9, killsPerConfig);
    assertTrue(kills >= MIN_KILLS);
  }
}
