package dev.onceflow.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * When to kill the child JVM: one {@link Trigger} per crash, drawn from a seed, so the same seed gives the same
 * schedule. A trigger fires on the child's own progress lines, never on wall-clock time alone: the {@code countdown}-th
 * line of its kind in a run, then a small seeded delay, then SIGKILL.
 *
 * @param triggers one per planned crash, in order
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
    /** {@code CHECKPOINT <id>}: a checkpoint is complete (durable), its sink transactions not committed yet. */
    CHECKPOINT,
    /** {@code COMMIT <id>}: the sinks committed the transactions of a checkpoint. */
    COMMIT
  }

  /**
   * Kill after the {@code countdown}-th line of {@code kind} of a run, waiting {@code delayMicros} first.
   *
   * @param kind the line kind to count
   * @param countdown 1-based: which occurrence of the kind in this run triggers the kill
   * @param delayMicros the delay between seeing the line and the kill, microseconds (the child keeps running)
   */
  public record Trigger(Kind kind, int countdown, int delayMicros) {
    /** Validates. */
    public Trigger {
      if (countdown < 1 || delayMicros < 0) {
        throw new IllegalArgumentException("trigger countdown must be >= 1 and delay >= 0: " + countdown + ", "
            + delayMicros);
      }
    }

    @Override
    public String toString() {
      return kind + "#" + countdown + "+" + (delayMicros / 1000.0) + "ms";
    }
  }

  /**
   * The schedule of {@code crashes} kills for {@code seed}: about half on records read, a fifth right after a completed
   * checkpoint (before or during its sink commit), a fifth after a sink commit, and one in ten during start-up and
   * recovery; each with a delay of 0 to 20 ms (start-up: 50 to 450 ms).
   *
   * <p>A run replays from the last completed checkpoint and a child prints about 40 progress lines per input, so a
   * progress trigger fires within the first {@code 30/(crashes+1)} lines of its run: all the kills fit into one input's
   * worth of progress and are spread over it, instead of the job finishing before the later triggers.
   */
  public static CrashSchedule fromSeed(long seed, int crashes) {
    if (crashes < 0) {
      throw new IllegalArgumentException("crashes must be >= 0, was " + crashes);
    }
    SplittableRandom random = new SplittableRandom(seed);
    List<Trigger> triggers = new ArrayList<>(crashes);
    for (int i = 0; i < crashes; i++) {
      int roll = random.nextInt(100);
      Kind kind = roll < 50 ? Kind.PROGRESS : roll < 70 ? Kind.CHECKPOINT : roll < 90 ? Kind.COMMIT : Kind.STARTED;
      int countdown = switch (kind) {
        case PROGRESS -> 1 + random.nextInt(Math.max(1, 30 / (crashes + 1)));
        case CHECKPOINT, COMMIT -> 1 + random.nextInt(2);
        case STARTED -> 1;
      };
      int delay = kind == Kind.STARTED ? 50_000 + random.nextInt(400_000) : random.nextInt(20_000);
      triggers.add(new Trigger(kind, countdown, delay));
    }
    return new CrashSchedule(triggers);
  }
}
