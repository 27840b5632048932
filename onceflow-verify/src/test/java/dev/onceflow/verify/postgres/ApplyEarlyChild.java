package dev.onceflow.verify.postgres;

import dev.onceflow.verify.JobMain;

/**
 * A deliberately broken child (test code only): the verifier's job with onceflow-jdbc's test-only mutation
 * {@code apply-before-complete}, so the exactly-once sink applies a checkpoint's rows on the barrier, before the
 * checkpoint completed. A kill between that apply and the completion replays rows that are already in the table: the
 * checker must report the broken promise.
 */
public final class ApplyEarlyChild {
  private ApplyEarlyChild() {}

  public static void main(String[] args) throws Exception {
    // read once, when the sink class is loaded: set before anything touches it
    System.setProperty("onceflow.jdbc.mutation", "apply-before-complete");
    JobMain.main(args);
  }
}
