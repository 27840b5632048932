package dev.onceflow.verify;

import java.util.Locale;

/**
 * Where one SIGKILL landed.
 *
 * @param run the child run it killed (0-based)
 * @param trigger the trigger that fired
 * @param line the child's output line it fired on
 * @param phase the phase of the job at the kill
 * @param progress the estimated fraction of the input read when it fired (0..1; 1 during the end-of-input flush)
 */
public record KillPoint(int run, String trigger, String line, Phase phase, double progress) {

  /** The phase of a job at a kill. */
  public enum Phase {
    /** The job has not completed its first checkpoint yet (start-up included). */
    BEFORE_FIRST_CHECKPOINT("before-first-checkpoint"),
    /** After a checkpoint completed, while the input is being read. */
    MID_RUN("mid-run"),
    /** Every source read all its input: the end-of-input flush, the final checkpoint or its commit. */
    FINAL_FLUSH("final-flush"),
    /** A restarted child that has not read a record yet: restore, sink recovery, replay start. */
    RECOVERY("recovery");

    private final String cliName;

    Phase(String cliName) {
      this.cliName = cliName;
    }

    /** The name in reports and JSON. */
    public String cliName() {
      return cliName;
    }
  }

  /** The one-line JSON object of this kill. */
  public String toJson() {
    return "{\"run\":" + run + ",\"phase\":\"" + phase.cliName() + "\",\"progress\":"
        + String.format(Locale.ROOT, "%.3f", progress) + ",\"trigger\":" + Json.quote(trigger) + ",\"line\":"
        + Json.quote(line) + "}";
  }

  @Override
  public String toString() {
    return "run " + run + ": " + phase.cliName() + String.format(Locale.ROOT, " at ~%.0f%%", progress * 100)
        + " on " + trigger + " at '" + line + "'";
  }
}
