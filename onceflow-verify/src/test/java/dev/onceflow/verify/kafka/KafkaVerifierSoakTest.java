package dev.onceflow.verify.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.Nemeses;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least 300 SIGKILLs of the pipeline on Kafka under EXACTLY_ONCE, the four jobs in turn, every fourth run with
 * rescales and a freeze, every third with injected faults; zero lost, zero duplicated, zero broken promises. The broker
 * shared by the Kafka verifier tests. Run with -Psoak.
 *
 * <p>Verifications run {@code -Dsoak.kafka.workers} at a time (default 2, each with its own work directory, topics and
 * transactional ids): a restart after a SIGKILL spends most of its time waiting (the dead process's lease session,
 * JVM start), so two at a time double the kills per hour on 2 cores. Every run is checked alone, as before.
 */
@Tag("soak")
class KafkaVerifierSoakTest {
  /** The single-output jobs (orders and payments-limits have their own tests). */
  static final Job[] FOUR_JOBS = {Job.LEDGER, Job.TAG_COUNT, Job.PAYMENTS, Job.CLICKS};

  private static final int KILLS = 300;

  @TempDir Path tmp;

  /** The totals over all runs; every update under the lock of this object. */
  private static final class Totals {
    long crashes;
    long runs;
    long effects;
    long lost;
    long duplicated;
    long broken;
    long inProcessRestarts;
    final Map<String, Long> phases = new TreeMap<>();
    final Map<String, Long> outcomes = new TreeMap<>();
  }

  @Test
  void threeHundredKillsOnKafkaWithoutAnExactlyOnceViolation() throws Exception {
    IoOptions kafka = TestBroker.io();
    int workers = Integer.getInteger("soak.kafka.workers", 2);
    long seed = System.nanoTime();
    System.out.println("kafka soak seed " + seed + ", " + workers + " verifications at a time");
    Totals t = new Totals();
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    for (int w = 0; w < workers; w++) {
      Thread th = new Thread(() -> {
        try {
          while (failure.get() == null) {
            synchronized (t) {
              if (t.crashes >= KILLS) {
                return;
              }
            }
            int i = next.getAndIncrement();
            run(kafka, seed, i, t);
          }
        } catch (Throwable e) {
          failure.compareAndSet(null, e);
        }
      }, "kafka-soak-" + w);
      threads.add(th);
      th.start();
    }
    for (Thread th : threads) {
      th.join();
    }
    if (failure.get() != null) {
      throw new AssertionError("a soak verification failed to run: " + failure.get(), failure.get());
    }
    System.out.printf("kafka soak: %d runs, %d kills, %d in-process restarts, %d effects, %d lost, %d duplicated,"
        + " %d broken; kills by phase %s, nemesis outcomes %s%n", t.runs, t.crashes, t.inProcessRestarts, t.effects,
        t.lost, t.duplicated, t.broken, t.phases, t.outcomes);
    assertEquals(0, t.lost);
    assertEquals(0, t.duplicated);
    assertEquals(0, t.broken);
    assertTrue(t.crashes >= KILLS);
  }

  private void run(IoOptions kafka, long seed, int i, Totals t) throws Exception {
    Job job = FOUR_JOBS[i % FOUR_JOBS.length];
    VerifyOptions o = VerifyOptions.of(job, Guarantee.EXACTLY_ONCE, 6_000, 12, seed + i).withIo(kafka)
        .withRecordsPerSecond(3_000).withFaults(i % 3 == 2)
        .withNemeses(i % 4 == 3 ? Nemeses.NONE.withRescale(true).withFreezes(1) : Nemeses.NONE)
        .withWorkDir(tmp.resolve("run-" + i));
    VerifyResult r = Verifier.run(o);
    synchronized (t) {
      t.runs++;
      t.crashes += r.crashes();
      t.effects += r.check().effectsExpected();
      t.lost += r.check().lost();
      t.duplicated += r.check().duplicated();
      t.inProcessRestarts += r.jobRestarts();
      r.killsByPhase().forEach((p, n) -> t.phases.merge(p.cliName(), (long) n, Long::sum));
      for (NemesisEvent e : r.events()) {
        t.outcomes.merge(e.nemesis() + " " + e.outcome(), 1L, Long::sum);
      }
      if (!r.promiseHeld()) {
        t.broken++;
        System.out.println("BROKEN kafka soak run " + i + ": " + r.toJson() + " " + r.check().problems());
      }
      System.out.printf("kafka soak run %d %s: %d kills (total %d), held %s, exact %s, %.1f s%n", i, job.cliName(),
          r.crashes(), t.crashes, r.promiseHeld(), r.check().exact(), r.seconds());
    }
  }
}
