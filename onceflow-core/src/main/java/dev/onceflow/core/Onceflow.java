package dev.onceflow.core;

/** Entry point of the API: {@code Onceflow.pipeline("name")...}. */
public final class Onceflow {
  private Onceflow() {}

  /**
   * Starts defining a pipeline. The name identifies the job in logs, checkpoint metadata and sink transactional ids;
   * keep it stable across restarts of the same job.
   */
  public static Pipeline pipeline(String name) {
    return new Pipeline(name);
  }
}
