package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import dev.onceflow.log.Log;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.internal.LogImpl;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The verifier's {@link RunPlan}: which child each run starts, per the {@link Nemeses} of the options, all drawn from
 * the seed. Records what the retention nemesis did; the harness records the rest.
 */
public final class NemesisPlan implements RunPlan {
  /** How a refused guarantee change names its reason. */
  static final List<String> GUARANTEE_WORDS = List.of("guarantee", "taken under", "IncompatibleCheckpointException");
  /** How a refused rescaling names its reason. */
  static final List<String> RESCALE_WORDS = List.of("rescal", "taken with parallelism");
  private static final long SALT = 0x5DEECE66DL;
  private static final int MAX_GUARANTEE_PROBES = 2;

  /** The child's arguments for a run under a guarantee and a parallelism. */
  public interface Args {
    /** The arguments of run {@code run} (0-based) under {@code guarantee} at {@code parallelism}. */
    List<String> of(int run, Guarantee guarantee, int parallelism);
  }

  private final VerifyOptions options;
  private final Args args;
  private final Path logDir;
  private final String inputTopic;
  private final SplittableRandom random;
  private final Map<Attempt, Integer> parallelismOf = new IdentityHashMap<>();
  private final List<NemesisEvent> events = new ArrayList<>();
  private final int plannedKills;
  private int parallelism;
  private int guaranteeProbes;

  NemesisPlan(VerifyOptions options, Args args, Path logDir, String inputTopic, int plannedKills) {
    this.options = options;
    this.plannedKills = plannedKills;
    this.args = args;
    this.logDir = logDir;
    this.inputTopic = inputTopic;
    this.random = new SplittableRandom(options.seed() ^ SALT);
    this.parallelism = options.parallelism();
  }

  /**
   * The plan of a pipeline that is not one of the built-in jobs (a {@code VerifiableJob}): the rescale nemesis
   * (freezes are the {@link CrashSchedule}'s: {@link CrashSchedule#fromSeed(long, int, int)}).
   *
   * @throws IllegalArgumentException for the nemeses it does not take (retention, guarantee change, skewed layout:
   *     they need the built-in jobs' input and directories)
   */
  public static NemesisPlan forPipeline(Nemeses nemeses, Guarantee guarantee, long seed, int partitions,
      int parallelism, Args args, Path logDir, String inputTopic, int plannedKills) {
    if (nemeses.retention() || nemeses.guaranteeChange() || nemeses.skewed()) {
      throw new IllegalArgumentException("a verified pipeline takes the nemeses rescale and freezes; retention,"
          + " guarantee-change and skewed are the built-in jobs' only (use ./onceflow verify --job)");
    }
    // the job is read only by the guarantee-change nemesis, refused above
    VerifyOptions o = VerifyOptions.of(Job.LEDGER, guarantee, 0, plannedKills, seed).withPartitions(partitions)
        .withParallelism(parallelism).withNemeses(nemeses);
    return new NemesisPlan(o, args, logDir, inputTopic, plannedKills);
  }

  /** What the retention nemesis did. */
  public List<NemesisEvent> events() {
    return List.copyOf(events);
  }

  @Override
  public List<Attempt> attempts(int run, boolean checkpointCompleted) {
    Nemeses n = options.nemeses();
    Guarantee g = options.guarantee();
    List<Attempt> list = new ArrayList<>();
    if (n.guaranteeChange() && checkpointCompleted && guaranteeProbes < MAX_GUARANTEE_PROBES
        && (guaranteeProbes == 0 || random.nextInt(3) == 0)) {
      Guarantee other = otherGuarantee();
      if (other != null) {
        guaranteeProbes++;
        list.add(new Attempt(args.of(run, other, parallelism), "guarantee " + g + " -> " + other,
            Expect.MUST_REFUSE, GUARANTEE_WORDS));
      }
    }
    if (n.rescale() && run > 0) {
      int max = Math.max(2, Math.min(options.partitions(), 4));
      int next = 1 + random.nextInt(max - 1);
      if (next >= parallelism) {
        next++; // any other parallelism in 1..max, up or down
      }
      if (run == plannedKills && parallelism > 1) {
        // the last planned restart goes down to 1: transactions that higher subtasks prepared before the last kill
        // are then resolved only if recovery resolves every transactional id the pipeline ever used (a later run at
        // a higher parallelism would hide the leak by aborting them as its own)
        next = 1;
      }
      Attempt rescale = new Attempt(args.of(run, g, next), "rescale " + parallelism + " -> " + next,
          Expect.MAY_REFUSE, RESCALE_WORDS);
      parallelismOf.put(rescale, next);
      list.add(rescale);
    }
    Attempt same = Attempt.run(args.of(run, g, parallelism));
    parallelismOf.put(same, parallelism);
    list.add(same);
    return list;
  }

  /**
   * A guarantee the engine must refuse to restore this job's checkpoints under: the snapshot of one guarantee cannot
   * give AT_MOST_ONCE (which resumes from the committed positions only an at-most-once run keeps) or EXACTLY_ONCE
   * (which needs an aligned snapshot whose output past it was not written through) unless it was taken under that
   * same guarantee. AT_LEAST_ONCE can be served by any snapshot, so a switch to it may be accepted and is not tried
   * (it would also leave the directories to a job the original guarantee may not resume). Clicks runs exactly-once
   * as at-least-once, so its engine mode is what counts. Null if there is none (clicks under at-most-once).
   */
  private Guarantee otherGuarantee() {
    Guarantee mine = JobPipelines.effectiveGuarantee(options.job(), options.guarantee());
    List<Guarantee> others = new ArrayList<>();
    for (Guarantee x : Guarantee.values()) {
      Guarantee engine = JobPipelines.effectiveGuarantee(options.job(), x);
      if (engine != mine && engine != Guarantee.AT_LEAST_ONCE) {
        others.add(x);
      }
    }
    return others.isEmpty() ? null : others.get(random.nextInt(others.size()));
  }

  @Override
  public void accepted(int run, Attempt attempt) {
    Integer p = parallelismOf.get(attempt);
    if (p != null) {
      parallelism = p;
    }
  }

  /**
   * The retention nemesis: once a checkpoint completed, before each restart, run retention on the input topic (no
   * child is alive, so this process may open the log).
   */
  @Override
  public void beforeRun(int run, boolean checkpointCompleted) {
    if (!options.nemeses().retention() || run == 0 || !checkpointCompleted) {
      return;
    }
    try (Log log = Log.open(logDir, Verifier.QUIET_LOG)) {
      int partitions = log.partitions(inputTopic);
      long[] before = new long[partitions];
      long[] after = new long[partitions];
      for (int p = 0; p < partitions; p++) {
        before[p] = log.startOffset(new TopicPartition(inputTopic, p));
      }
      // the public API runs retention only on the background timer; the verifier runs one pass now, at a known moment
      if (!(log instanceof LogImpl impl)) {
        throw new IllegalStateException("the retention nemesis needs the embedded log implementation, got "
            + log.getClass().getName());
      }
      impl.enforceRetention(System.currentTimeMillis());
      long deleted = 0;
      for (int p = 0; p < partitions; p++) {
        after[p] = log.startOffset(new TopicPartition(inputTopic, p));
        deleted += after[p] - before[p];
      }
      events.add(new NemesisEvent(run, "retention", "retention pass on " + inputTopic,
          deleted > 0 ? "deleted" : "nothing deleted", true, deleted + " records deleted; log start offsets "
              + Arrays.toString(before) + " -> " + Arrays.toString(after)));
    }
  }
}
