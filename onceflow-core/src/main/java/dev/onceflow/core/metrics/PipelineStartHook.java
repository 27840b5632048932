package dev.onceflow.core.metrics;

import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Pipeline;

/**
 * Lets a module on the class path observe every pipeline of the JVM without the program's help: implementations
 * listed in {@code META-INF/services/dev.onceflow.core.metrics.PipelineStartHook} are loaded with {@link
 * java.util.ServiceLoader} each time a pipeline starts. {@code onceflow-dashboard} uses it to serve a dashboard for any
 * job of a JVM started with {@code -Donceflow.dashboard=PORT} (the CLI's {@code --dashboard PORT}, also in the child
 * JVMs of the verifier). A hook must not fail the job: whatever it throws is logged and ignored.
 */
public interface PipelineStartHook {
  /** The pipeline is about to start: a hook may set its meter registry and add listeners. */
  void beforeStart(Pipeline pipeline);

  /** The pipeline's job is running. */
  default void started(Pipeline pipeline, JobHandle handle) {}
}
