package dev.onceflow.verify.custom;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.source.Source;
import dev.onceflow.log.Log;
import dev.onceflow.verify.ChildInstrumentation;
import dev.onceflow.verify.FaultInjector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The child JVM of a {@link Verification}: creates the {@link VerifiableJob} by name, builds its pipeline on the
 * verifier's log and checkpoint directory (resuming from the latest completed checkpoint) and prints the lines the
 * {@link dev.onceflow.verify.CrashHarness} triggers on, as {@link dev.onceflow.verify.JobMain} does for the built-in
 * jobs: {@code STARTED}, {@code PROGRESS n}, {@code PREPARED [id]}, {@code CHECKPOINT id}, {@code COMMIT id},
 * {@code INPUT_END}, {@code ATTEMPT_FAILED n}, {@code FINISHED}.
 */
public final class CustomJobMain {
  private CustomJobMain() {}

  static List<String> args(String className, Guarantee g, Path log, Path checkpoints,
      int parallelism, long intervalMs, long progressEvery, long rate, long faultSeed) {
    return List.of("class=" + className, "guarantee=" + g.name(), "log=" + log,
        "checkpoints=" + checkpoints, "parallelism=" + parallelism, "interval=" + intervalMs,
        "progress=" + progressEvery, "rate=" + rate, "faults=" + faultSeed);
  }

  /** Runs the job; exit code 0 finished, 1 failed. */
  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (String s : argv) {
      int eq = s.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("child argument '" + s + "' is not key=value");
      }
      a.put(s.substring(0, eq), s.substring(eq + 1));
    }
    System.exit(run(a));
  }

  private static int run(Map<String, String> a) throws InterruptedException {
    System.out.println("STARTED");
    // the job's classes are on this JVM's class path (Verification puts them there)
    VerifiableJob job = JobLoader.load(a.get("class"), "");
    Guarantee g = Guarantee.valueOf(a.get("guarantee"));
    long faultSeed = Long.parseLong(a.get("faults"));
    FaultInjector faults = faultSeed < 0 ? null : new FaultInjector(faultSeed, 3);
    try (Log log = Log.open(Path.of(a.get("log")))) {
      Pipeline p = Onceflow.pipeline("verify-" + job.getClass().getSimpleName().toLowerCase(Locale.ROOT))
          .guarantee(g)
          .parallelism(Integer.parseInt(a.get("parallelism")))
          .checkpointInterval(Duration.ofMillis(Long.parseLong(a.get("interval"))))
          .checkpointDir(Path.of(a.get("checkpoints")))
          .restartStrategy(faults == null ? RestartStrategy.noRestart()
              : RestartStrategy.fixedDelay(1000, Duration.ofMillis(10)))
          .listener(ChildInstrumentation.protocolListener());
      Source<String> source = ChildInstrumentation.source(
          LogSource.of(log, Verification.INPUT_TOPIC, Decoder.utf8String()).bounded(),
          Long.parseLong(a.get("rate")));
      if (faults != null) {
        source = faults.source(source);
      }
      job.build(p, source, new Sinks(log, Verification.OUTPUT_TOPIC, g, faults));
      ChildInstrumentation.runPrintingProgress(p.start(), Long.parseLong(a.get("progress")));
    } catch (RuntimeException e) {
      System.err.println("CustomJobMain: the pipeline " + a.get("class") + " failed:");
      e.printStackTrace();
      return 1;
    }
    System.out.println("FINISHED");
    return 0;
  }
}
