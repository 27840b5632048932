package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * At least 1,000 SIGKILLs across the four jobs under EXACTLY_ONCE, and 300 under each weaker guarantee, with the
 * nemeses in turn (another parallelism on each restart, retention between restarts, restarts under another guarantee
 * that must be refused, the skewed input, a SIGSTOP + second instance); zero broken promises allowed.
 * Run with -Psoak.
 */
@Tag("soak")
class VerifierSoakTest {
  /** The single-output jobs (orders and payments-limits have their own tests). */
  static final Job[] FOUR_JOBS = {Job.LEDGER, Job.TAG_COUNT, Job.PAYMENTS, Job.CLICKS};

  @TempDir Path tmp;

  private final Map<String, Long> phases = new TreeMap<>();
  private final Map<String, Long> outcomes = new TreeMap<>();

  /**
   * The nemeses in turn (every one in each four runs; all at once costs two JVM starts per restart): rescale +
   * freeze; retention + skewed; guarantee change + rescale; all.
   */
  static Nemeses nemeses(int i) {
    return switch (i % 4) {
      case 0 -> Nemeses.NONE.withRescale(true).withFreezes(1);
      case 1 -> Nemeses.NONE.withRetention(true).withSkewed(true);
      case 2 -> Nemeses.NONE.withGuaranteeChange(true).withRescale(true);
      default -> Nemeses.all(1);
    };
  }

  private void tally(VerifyResult r) {
    r.killsByPhase().forEach((p, n) -> phases.merge(p.cliName(), (long) n, Long::sum));
    for (NemesisEvent e : r.events()) {
      outcomes.merge(e.nemesis() + " " + e.outcome(), 1L, Long::sum);
    }
  }

  private String tallies() {
    return "kills by phase " + phases + ", nemesis outcomes " + outcomes;
  }

  @Test
  void thousandKillsAcrossJobsWithoutAnExactlyOnceViolation() throws Exception {
    long crashes = 0;
    long runs = 0;
    long effects = 0;
    long violations = 0;
    long inProcessRestarts = 0;
    long seed = System.nanoTime();
    System.out.println("soak seed " + seed);
    for (int i = 0; crashes < 1000; i++) {
      Job job = FOUR_JOBS[i % FOUR_JOBS.length];
      VerifyResult r = Verifier.run(VerifyOptions.of(job, Guarantee.EXACTLY_ONCE, 20_000, 25, seed + i)
          .withFaults(i % 3 == 2).withNemeses(nemeses(i)).withWorkDir(tmp.resolve("w" + i)));
      tally(r);
      runs++;
      crashes += r.crashes();
      inProcessRestarts += r.jobRestarts();
      effects += r.check().effectsExpected();
      if (!r.promiseHeld()) {
        violations++;
        System.out.println("VIOLATION " + r.toJson() + " " + r.check().problems());
      }
      System.out.println("soak run " + i + ": " + r.toJson() + " (total kills " + crashes + ")");
    }
    System.out.println("soak totals: runs=" + runs + " kills=" + crashes + " in-process restarts=" + inProcessRestarts
        + " effects=" + effects + " violations=" + violations + " " + tallies());
    assertTrue(crashes >= 1000);
    assertTrue(inProcessRestarts > 0, "the --faults runs injected no exception");
    assertEquals(0, violations);
  }

  @Test
  void weakerGuaranteesKeepTheirPromisesUnderKills() throws Exception {
    long seed = System.nanoTime();
    System.out.println("soak seed " + seed);
    for (Guarantee g : new Guarantee[] {Guarantee.AT_MOST_ONCE, Guarantee.AT_LEAST_ONCE}) {
      long crashes = 0;
      long lost = 0;
      long duplicated = 0;
      long broken = 0;
      for (int i = 0; crashes < 300; i++) {
        Job job = FOUR_JOBS[i % FOUR_JOBS.length];
        // every fourth tag-count run spans 1.7 days, so windows fire mid-run (and a restart could fire one twice)
        boolean longTagCount = job == Job.TAG_COUNT && i % 8 == 1;
        VerifyResult r = Verifier.run(VerifyOptions.of(job, g, longTagCount ? 300_000 : 15_000, 15, seed + i)
            .withCheckpointIntervalMs(longTagCount ? 700 : 200).withNemeses(nemeses(i))
            .withWorkDir(tmp.resolve(g + "-" + i)));
        tally(r);
        crashes += r.crashes();
        lost += r.check().lost();
        duplicated += r.check().duplicated();
        if (!r.promiseHeld()) {
          broken++;
          System.out.println("BROKEN " + r.toJson() + " " + r.check().problems());
        }
        System.out.println("soak " + g + " run " + i + ": " + r.toJson() + " (total kills " + crashes + ")");
      }
      System.out.println("soak totals " + g + ": kills=" + crashes + " lost=" + lost + " duplicated=" + duplicated
          + " broken=" + broken + " " + tallies());
      phases.clear();
      outcomes.clear();
      assertEquals(0, broken, g + " broke its promise");
    }
  }
}
