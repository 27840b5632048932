package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything a child JVM needs to run one verifier job, passed on its command line as {@code key=value} arguments.
 *
 * @param job the job
 * @param guarantee the guarantee asked for (clicks runs AT_LEAST_ONCE when EXACTLY_ONCE is asked, see
 *     {@link JobPipelines#effectiveGuarantee})
 * @param logDir the embedded log directory (input and output topics)
 * @param checkpointDir the checkpoint directory
 * @param parallelism subtasks per stage
 * @param checkpointIntervalMs periodic checkpoint interval
 * @param progressEvery print {@code PROGRESS n} every this many records read
 * @param faultSeed the fault injector's seed, or -1 for no injected faults
 * @param dedupTtlMs the payments deduplication TTL (event time)
 * @param recordsPerSecond pace of the source in total, or 0 for no pacing
 * @param logMaintenanceMs the child's log maintenance (retention, transaction timeouts) interval, or 0 for the log's
 *     default; the retention nemesis sets it high, so that retention runs only between restarts, where the verifier
 *     runs it
 * @param io the input and output stores' settings ({@link ChildIo}), passed as {@code io.<key>=<value>} arguments
 */
public record JobRunSpec(
    Job job,
    Guarantee guarantee,
    Path logDir,
    Path checkpointDir,
    int parallelism,
    long checkpointIntervalMs,
    long progressEvery,
    long faultSeed,
    long dedupTtlMs,
    long recordsPerSecond,
    long logMaintenanceMs,
    Map<String, String> io) {
  private static final String IO_PREFIX = "io.";

  /** Copies {@code io}. */
  public JobRunSpec {
    io = Map.copyOf(io);
  }

  /** A spec on the embedded log only. */
  public JobRunSpec(Job job, Guarantee guarantee, Path logDir, Path checkpointDir, int parallelism,
      long checkpointIntervalMs, long progressEvery, long faultSeed, long dedupTtlMs, long recordsPerSecond,
      long logMaintenanceMs) {
    this(job, guarantee, logDir, checkpointDir, parallelism, checkpointIntervalMs, progressEvery, faultSeed,
        dedupTtlMs, recordsPerSecond, logMaintenanceMs, Map.of());
  }

  /** The input topic of a job. */
  public static String inputTopic(Job job) {
    return job.cliName() + "-input";
  }

  /** The output topic of a single-output job (for clicks: the upsert table). */
  public static String outputTopic(Job job) {
    return outputTopic(job, Job.OUTPUT);
  }

  /** The topic of the job's output {@code output}: {@code <job>-output}, or {@code <job>-<output>} (orders). */
  public static String outputTopic(Job job, String output) {
    return job.cliName() + "-" + output;
  }

  /** The child's command-line arguments. */
  public List<String> toArgs() {
    List<String> args = new ArrayList<>(List.of("job=" + job.cliName(), "guarantee=" + guarantee.name(),
        "log=" + logDir, "checkpoints=" + checkpointDir, "parallelism=" + parallelism,
        "interval=" + checkpointIntervalMs, "progress=" + progressEvery, "faults=" + faultSeed, "ttl=" + dedupTtlMs,
        "rate=" + recordsPerSecond, "maintenance=" + logMaintenanceMs));
    new TreeMap<>(io).forEach((k, v) -> args.add(IO_PREFIX + k + "=" + v));
    return args;
  }

  /**
   * Parses {@link #toArgs()}.
   *
   * @throws IllegalArgumentException naming a missing or malformed argument
   */
  public static JobRunSpec fromArgs(String... args) {
    Map<String, String> m = new HashMap<>();
    Map<String, String> io = new HashMap<>();
    for (String a : args) {
      int eq = a.indexOf('=');
      if (eq < 1) {
        throw new IllegalArgumentException("child argument '" + a + "' is not key=value");
      }
      String key = a.substring(0, eq);
      (key.startsWith(IO_PREFIX) ? io : m).put(key.startsWith(IO_PREFIX) ? key.substring(IO_PREFIX.length()) : key,
          a.substring(eq + 1));
    }
    return new JobRunSpec(Job.fromName(get(m, "job")), Guarantee.valueOf(get(m, "guarantee")),
        Path.of(get(m, "log")), Path.of(get(m, "checkpoints")), Integer.parseInt(get(m, "parallelism")),
        Long.parseLong(get(m, "interval")), Long.parseLong(get(m, "progress")), Long.parseLong(get(m, "faults")),
        Long.parseLong(get(m, "ttl")), Long.parseLong(get(m, "rate")), Long.parseLong(get(m, "maintenance")), io);
  }

  private static String get(Map<String, String> m, String key) {
    String v = m.get(key);
    if (v == null) {
      throw new IllegalArgumentException("child argument '" + key + "=...' is missing");
    }
    return v;
  }
}
