package dev.onceflow.verify.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.Nemeses;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least 300 SIGKILLs of the pipeline on Kafka under EXACTLY_ONCE, the four jobs in turn, every fourth run with
 * rescales and a freeze, every third with injected faults; zero lost, zero duplicated, zero broken promises. One broker
 * for the whole soak. Run with -Psoak.
 */
@Tag("soak")
class KafkaVerifierSoakTest {
  /** The single-output jobs (orders and payments-limits have their own tests). */
  static final Job[] FOUR_JOBS = {Job.LEDGER, Job.TAG_COUNT, Job.PAYMENTS, Job.CLICKS};

  static LocalKafkaBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = LocalKafkaBroker.create(Files.createTempDirectory("onceflow-verify-kafka-soak-"),
        System.getProperty("java.class.path"), 0, Map.of());
    broker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.stop();
    }
  }

  @Test
  void threeHundredKillsOnKafkaWithoutAnExactlyOnceViolation() throws Exception {
    IoOptions kafka = IoOptions.LOG.withInput(KafkaIo.NAME).withOutput(KafkaIo.NAME)
        .with(KafkaIo.BOOTSTRAP_SERVERS, broker.bootstrapServers());
    long crashes = 0;
    long runs = 0;
    long effects = 0;
    long lost = 0;
    long duplicated = 0;
    long broken = 0;
    long inProcessRestarts = 0;
    Map<String, Long> phases = new TreeMap<>();
    Map<String, Long> outcomes = new TreeMap<>();
    long seed = System.nanoTime();
    System.out.println("kafka soak seed " + seed);
    for (int i = 0; crashes < 300; i++) {
      Job job = FOUR_JOBS[i % FOUR_JOBS.length];
      VerifyOptions o = VerifyOptions.of(job, Guarantee.EXACTLY_ONCE, 6_000, 12, seed + i).withIo(kafka)
          .withRecordsPerSecond(3_000).withFaults(i % 3 == 2)
          .withNemeses(i % 4 == 3 ? Nemeses.NONE.withRescale(true).withFreezes(1) : Nemeses.NONE)
          .withWorkDir(tmp.resolve("run-" + i));
      VerifyResult r = Verifier.run(o);
      runs++;
      crashes += r.crashes();
      effects += r.check().effectsExpected();
      lost += r.check().lost();
      duplicated += r.check().duplicated();
      inProcessRestarts += r.jobRestarts();
      r.killsByPhase().forEach((p, n) -> phases.merge(p.cliName(), (long) n, Long::sum));
      for (NemesisEvent e : r.events()) {
        outcomes.merge(e.nemesis() + " " + e.outcome(), 1L, Long::sum);
      }
      if (!r.promiseHeld()) {
        broken++;
        System.out.println("BROKEN kafka soak run " + i + ": " + r.toJson() + " " + r.check().problems());
      }
      System.out.printf("kafka soak run %d %s: %d kills (total %d), held %s, %.1f s%n", i, job.cliName(),
          r.crashes(), crashes, r.promiseHeld(), r.seconds());
    }
    System.out.printf("kafka soak: %d runs, %d kills, %d in-process restarts, %d effects, %d lost, %d duplicated,"
        + " %d broken; kills by phase %s, nemesis outcomes %s%n", runs, crashes, inProcessRestarts, effects, lost,
        duplicated, broken, phases, outcomes);
    assertEquals(0, lost);
    assertEquals(0, duplicated);
    assertEquals(0, broken);
    assertTrue(crashes >= 300);
  }
}
