package dev.onceflow.verify.postgres;

import dev.onceflow.verify.JobMain;

/**
 * A deliberately broken child (test code only): the verifier's job with onceflow-jdbc's test-only mutation
 * {@code unaligned}, so the upsert and insert-unique sinks do not ask for aligned snapshots and an AT_LEAST_ONCE job
 * keeps the engine's unaligned barriers. A restored window state can then hold records from past the restored
 * positions; the replay counts them again and the upsert writes the overcount, which the checker must report.
 */
public final class UnalignedChild {
  private UnalignedChild() {}

  public static void main(String[] args) throws Exception {
    // read once, when the sink class is loaded: set before anything touches it
    System.setProperty("onceflow.jdbc.mutation", "unaligned");
    JobMain.main(args);
  }
}
