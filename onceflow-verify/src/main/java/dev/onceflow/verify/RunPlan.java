package dev.onceflow.verify;

import java.util.List;
import java.util.Objects;

/**
 * What the {@link CrashHarness} starts for each run, and what it does between runs: the hook where the verifier's
 * nemeses act (another parallelism, another guarantee, a retention pass).
 */
public interface RunPlan {

  /**
   * The children to try for run {@code run} (0-based), in order. The harness starts the first; an attempt that is
   * refused as it {@link Attempt#expect() allows} moves on to the next; the first accepted {@link Expect#RUN} or
   * {@link Expect#MAY_REFUSE} attempt is the run (killed and frozen per the schedule). The list must end with an
   * attempt that is not {@link Expect#MUST_REFUSE}.
   *
   * @param checkpointCompleted whether any child printed {@code CHECKPOINT} so far
   */
  List<Attempt> attempts(int run, boolean checkpointCompleted);

  /**
   * Called before run {@code run} starts (also before run 0), while no child is alive.
   *
   * @param checkpointCompleted whether any child printed {@code CHECKPOINT} so far
   */
  default void beforeRun(int run, boolean checkpointCompleted) {}

  /** Called when {@code attempt} became run {@code run} (it was not refused). */
  default void accepted(int run, Attempt attempt) {}

  /** How a refusal of an attempt is judged. */
  enum Expect {
    /** A normal run: exiting without FINISHED is a failure of the child. */
    RUN,
    /** May be refused by design (e.g. a rescaling the engine cannot do): then the next attempt runs. */
    MAY_REFUSE,
    /**
     * Must be refused (e.g. a restore under another guarantee). If it is not, the harness records the acceptance,
     * kills the child on its first {@code CHECKPOINT} line (or lets it finish) and goes on with the next attempt.
     */
    MUST_REFUSE
  }

  /**
   * One child to try.
   *
   * @param args its command-line arguments
   * @param label what it is, for the report (e.g. "parallelism 3", "guarantee AT_LEAST_ONCE")
   * @param expect how a refusal is judged
   * @param refusalWords a refusal is an exit without FINISHED whose new stderr contains one of these (ignoring case)
   */
  record Attempt(List<String> args, String label, Expect expect, List<String> refusalWords) {
    /** Copies the lists. */
    public Attempt {
      args = List.copyOf(args);
      Objects.requireNonNull(label, "label");
      Objects.requireNonNull(expect, "expect");
      refusalWords = List.copyOf(refusalWords);
    }

    /** A normal run. */
    public static Attempt run(List<String> args) {
      return new Attempt(args, "run", Expect.RUN, List.of());
    }
  }
}
