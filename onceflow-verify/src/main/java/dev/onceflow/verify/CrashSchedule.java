package dev.onceflow.verify;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * When to kill (or freeze) the child JVM: a list of {@link Trigger}s drawn from a seed, so the same seed gives the same
 * schedule. A trigger fires on the child's own output lines, never on wall-clock time alone: it is armed once the
 * run's estimated progress through the input reaches {@link Trigger#atProgress()}, then fires on the
 * {@code countdown}-th line of its kind, after a small seeded delay.
 *
 * @param triggers in order; each {@link Action#KILL} ends a run, a {@link Action#FREEZE} does not
 */
public record CrashSchedule(List<Trigger> triggers) {

  /** Copies the list. */
  public CrashSchedule {
    triggers = List.copyOf(triggers);
  }

  /** The line prefixes a child prints (one per line, followed by a space and a number, or alone). */
  public enum Kind {
    /** {@code STARTED}: the child opened its directories and is recovering / starting the job. */
    STARTED,
    /** {@code PROGRESS <records read>}: printed every few records read. */
    PROGRESS,
    /**
     * {@code PREPARED <checkpoint id>}: one sink subtask prepared (pre-committed) its transaction for the checkpoint,
     * which is not complete yet. A kill here leaves a PREPARED transaction that no completed checkpoint recorded.
     */
    PREPARED,
    /** {@code CHECKPOINT <id>}: a checkpoint is complete (durable), its sink transactions not committed yet. */
    CHECKPOINT,
    /** {@code COMMIT <id>}: the sinks committed the transactions of a checkpoint. */
    COMMIT,
    /**
     * {@code INPUT_END}: every source subtask has read all its input; the end-of-input flush (windows firing, the
     * final checkpoint and its commit) is running.
     */
    INPUT_END
  }

  /** What a trigger does to the child. */
  public enum Action {
    /** SIGKILL; the child is restarted on the same directories. */
    KILL,
    /**
     * SIGSTOP the child, start a second instance on the same directories (it must be refused, or must fence the
     * first), then SIGCONT the first. The run goes on.
     */
    FREEZE
  }

  /**
   * Fire on the {@code countdown}-th line of {@code kind} once the run's estimated progress reached
   * {@code atProgress}, waiting {@code delayMicros} first.
   *
   * @param kind the line kind to count
   * @param atProgress 0..1: the estimated fraction of the input read (over all runs) before the trigger is armed;
   *     ignored for {@link Kind#STARTED} (armed at once) and {@link Kind#INPUT_END} (only printed at the end)
   * @param countdown 1-based: which occurrence of the kind after arming triggers
   * @param delayMicros the delay between seeing the line and acting, microseconds (the child keeps running)
   * @param action kill or freeze
   */
  public record Trigger(Kind kind, double atProgress, int countdown, int delayMicros, Action action) {
    /** Validates. */
    public Trigger {
      if (countdown < 1 || delayMicros < 0 || !(atProgress >= 0 && atProgress <= 1)) {
        throw new IllegalArgumentException("trigger countdown must be >= 1, delay >= 0 and progress in [0, 1]: "
            + countdown + ", " + delayMicros + ", " + atProgress);
      }
      java.util.Objects.requireNonNull(kind, "kind");
      java.util.Objects.requireNonNull(action, "action");
    }

    /** A kill on the {@code countdown}-th line of {@code kind} of a run (armed at once). */
    public Trigger(Kind kind, int countdown, int delayMicros) {
      this(kind, 0, countdown, delayMicros, Action.KILL);
    }

    @Override
    public String toString() {
      String at = kind == Kind.STARTED || kind == Kind.INPUT_END || atProgress == 0 ? ""
          : String.format(Locale.ROOT, "@%.2f", atProgress);
      return (action == Action.FREEZE ? "FREEZE:" : "") + kind + at + "#" + countdown + "+" + (delayMicros / 1000.0)
          + "ms";
    }
  }

  /** Kill triggers only (what the {@code --crashes} option counts). */
  public int kills() {
    return (int) triggers.stream().filter(t -> t.action() == Action.KILL).count();
  }

  /**
   * The schedule of {@code crashes} kills for {@code seed}, spread over the whole run: each kill gets an arming point
   * drawn uniformly from [0, 1) of the input (sorted, so the kills march through the run instead of piling up at its
   * start), and a kind: about 35 % on records read, 12 % right after a sink subtask prepared (the checkpoint not
   * complete yet), 14 % right after a completed checkpoint (before or during its sink commit), 14 % after a sink
   * commit, 12 % during start-up and recovery, and 13 % during the end-of-input flush and final checkpoint (these go
   * last). One schedule in two starts with a kill before the first checkpoint: on the first progress line, or while
   * the sinks prepare checkpoint 1. Delays: 0 to 20 ms; after a prepare 0 to 2 ms; at end of input 0 to 40 ms; start-up 50 to 450 ms.
   */
  public static CrashSchedule fromSeed(long seed, int crashes) {
    return fromSeed(seed, crashes, 0);
  }

  /**
   * As {@link #fromSeed(long, int)}, plus {@code freezes} {@link Action#FREEZE} triggers on progress lines at seeded
   * points of the run (inserted in progress order among the kills).
   */
  public static CrashSchedule fromSeed(long seed, int crashes, int freezes) {
    if (crashes < 0 || freezes < 0) {
      throw new IllegalArgumentException("crashes and freezes must be >= 0, were " + crashes + ", " + freezes);
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Kind> kinds = new ArrayList<>(crashes);
    for (int i = 0; i < crashes; i++) {
      int roll = random.nextInt(100);
      kinds.add(roll < 35 ? Kind.PROGRESS : roll < 47 ? Kind.PREPARED : roll < 61 ? Kind.CHECKPOINT
          : roll < 75 ? Kind.COMMIT : roll < 87 ? Kind.STARTED : Kind.INPUT_END);
    }
    double[] at = new double[crashes];
    for (int i = 0; i < crashes; i++) {
      at[i] = random.nextDouble();
    }
    Arrays.sort(at);
    if (crashes > 0 && random.nextBoolean()) {
      // one schedule in two opens with a kill before the first checkpoint completed: on the first records read, or
      // while the sinks prepare checkpoint 1 (a restart then finds PREPARED transactions and no checkpoint)
      at[0] = 0;
      kinds.set(0, random.nextBoolean() ? Kind.PREPARED : Kind.PROGRESS);
    }
    // the end-of-input kills go last: a restart after one resumes near the end, so a kill planned for mid-run after
    // it would land at the end too
    List<Trigger> triggers = new ArrayList<>(crashes + freezes);
    List<Trigger> atEnd = new ArrayList<>();
    for (int i = 0; i < crashes; i++) {
      Kind kind = kinds.get(i);
      int countdown = switch (kind) {
        case PREPARED -> 1 + random.nextInt(4);
        case CHECKPOINT, COMMIT -> 1 + random.nextInt(2);
        case PROGRESS, STARTED, INPUT_END -> 1;
      };
      int delay = switch (kind) {
        case STARTED -> 50_000 + random.nextInt(400_000);
        case PREPARED -> random.nextInt(2_000);
        case INPUT_END -> random.nextInt(40_000);
        default -> random.nextInt(20_000);
      };
      if (kind == Kind.INPUT_END) {
        atEnd.add(new Trigger(kind, 1, countdown, delay, Action.KILL));
      } else {
        triggers.add(new Trigger(kind, at[i], countdown, delay, Action.KILL));
      }
    }
    triggers.addAll(atEnd);
    for (int f = 0; f < freezes; f++) {
      double p = 0.1 + 0.8 * random.nextDouble();
      Trigger freeze = new Trigger(Kind.PROGRESS, p, 1, random.nextInt(20_000), Action.FREEZE);
      int pos = 0;
      while (pos < triggers.size() && triggers.get(pos).atProgress() <= p) {
        pos++;
      }
      triggers.add(pos, freeze);
    }
    return new CrashSchedule(triggers);
  }
}
