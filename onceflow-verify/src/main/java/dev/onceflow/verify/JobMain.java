package dev.onceflow.verify;

import dev.onceflow.core.Pipeline;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import java.time.Duration;

/**
 * The child JVM's main class: runs one verifier job on the given directories (resuming from their latest completed
 * checkpoint) and prints the progress lines the {@link CrashHarness} triggers on: {@code STARTED},
 * {@code PROGRESS <records read>}, {@code PREPARED <id>} (a sink subtask pre-committed), {@code CHECKPOINT <id>},
 * {@code COMMIT <id>}, {@code INPUT_END} (every source subtask read all its input), {@code ATTEMPT_FAILED <n>
 * <cause>}, and {@code FINISHED} before exiting 0. Arguments: {@link JobRunSpec#toArgs()}.
 */
public final class JobMain {
  private JobMain() {}

  /** Runs the job with the default sinks. */
  public static void main(String[] args) throws Exception {
    JobRunSpec spec = JobRunSpec.fromArgs(args);
    System.exit(run(spec, ChildIo.sources(spec.io()), ChildIo.sinks(spec.io())));
  }

  /**
   * Runs the job with the sinks {@code sinks} makes and returns the process exit code (0 finished, 1 failed). Test
   * children call this with deliberately broken sinks.
   */
  public static int run(JobRunSpec spec, SinkFactory sinks) throws InterruptedException {
    return run(spec, ChildIo.sources(spec.io()), sinks);
  }

  /** Runs the job reading through {@code sources} and writing through {@code sinks}; see {@link #run}. */
  public static int run(JobRunSpec spec, SourceFactory sources, SinkFactory sinks) throws InterruptedException {
    System.out.println("STARTED");
    FaultInjector faults = spec.faultSeed() < 0 ? null : new FaultInjector(spec.faultSeed(), 3);
    LogConfig config = spec.logMaintenanceMs() > 0
        ? LogConfig.builder().maintenanceInterval(Duration.ofMillis(spec.logMaintenanceMs())).build()
        : LogConfig.defaults();
    try (Log log = Log.open(spec.logDir(), config)) {
      Pipeline p = JobPipelines.build(spec, log, sources, sinks, faults, ChildInstrumentation.protocolListener());
      ChildInstrumentation.runPrintingProgress(p.start(), spec.progressEvery());
    } catch (RuntimeException e) {
      System.err.println("JobMain: the job " + spec.job().cliName() + " failed:");
      e.printStackTrace();
      return 1;
    }
    System.out.println("FINISHED");
    return 0;
  }
}
