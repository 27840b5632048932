package dev.onceflow.verify;

import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One verifier run. Build with {@link #of} and change the defaults with the {@code with...} methods.
 *
 * @param job the job
 * @param guarantee the guarantee asked for
 * @param events input events (payments: distinct payments)
 * @param crashes SIGKILLs to inject (fewer happen if the job finishes first; the result says how many)
 * @param seed drives the crash schedule and the injected faults (the input does not depend on it)
 * @param partitions input (and output) topic partitions, default 4
 * @param parallelism subtasks per stage, default 2
 * @param checkpointIntervalMs default 200
 * @param faults also inject exceptions in source, operator, sink, pre-commit and commit
 * @param workDir the work directory (must be empty or absent), or null for a new temporary one
 * @param dedupTtlMs payments deduplication TTL in event time, default 1 h
 * @param childMainClass the child's main class, default {@link JobMain}
 * @param recordsPerSecond the source's pace in total: -1 (default) = auto, so that one pass over the input lasts about
 *     2 s (at least 5,000 records/s) and the kills land during the run; 0 = no pacing
 * @param nemeses what else happens between and during the runs besides SIGKILL, default {@link Nemeses#NONE}
 * @param io where the input and output live, default {@link IoOptions#LOG} (the embedded log)
 */
public record VerifyOptions(
    Job job,
    Guarantee guarantee,
    long events,
    int crashes,
    long seed,
    int partitions,
    int parallelism,
    long checkpointIntervalMs,
    boolean faults,
    Path workDir,
    long dedupTtlMs,
    String childMainClass,
    long recordsPerSecond,
    Nemeses nemeses,
    IoOptions io) {

  /**
   * Validates.
   *
   * @throws IllegalArgumentException naming the bad option
   */
  public VerifyOptions {
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(guarantee, "guarantee");
    Objects.requireNonNull(childMainClass, "childMainClass");
    Objects.requireNonNull(nemeses, "nemeses");
    Objects.requireNonNull(io, "io");
    require(events >= 0, "--events must be >= 0, was " + events);
    require(crashes >= 0, "--crashes must be >= 0, was " + crashes);
    require(partitions >= 1 && partitions <= 1024, "--partitions must be between 1 and 1024, was " + partitions);
    require(parallelism >= 1 && parallelism <= 128, "--parallelism must be between 1 and 128, was " + parallelism);
    require(checkpointIntervalMs >= 1, "--checkpoint-interval must be >= 1 ms, was " + checkpointIntervalMs);
    require(dedupTtlMs >= 1, "--dedup-ttl must be >= 1 ms, was " + dedupTtlMs);
    require(recordsPerSecond >= -1, "--rate must be -1 (auto), 0 (no pacing) or positive, was " + recordsPerSecond);
  }

  private static void require(boolean ok, String message) {
    if (!ok) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The defaults: 4 partitions, parallelism 2, checkpoints every 200 ms, no faults, a temporary work dir. */
  public static VerifyOptions of(Job job, Guarantee guarantee, long events, int crashes, long seed) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, 4, 2, 200, false, null, 3_600_000,
        JobMain.class.getName(), -1, Nemeses.NONE, IoOptions.LOG);
  }

  /** With {@code partitions} input partitions. */
  public VerifyOptions withPartitions(int partitions) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, recordsPerSecond, nemeses, io);
  }

  /** With {@code parallelism}. */
  public VerifyOptions withParallelism(int parallelism) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, recordsPerSecond, nemeses, io);
  }

  /** With this checkpoint interval. */
  public VerifyOptions withCheckpointIntervalMs(long ms) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, ms, faults, workDir,
        dedupTtlMs, childMainClass, recordsPerSecond, nemeses, io);
  }

  /** With or without injected exceptions. */
  public VerifyOptions withFaults(boolean faults) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, recordsPerSecond, nemeses, io);
  }

  /** In this work directory (kept afterwards). */
  public VerifyOptions withWorkDir(Path workDir) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, recordsPerSecond, nemeses, io);
  }

  /** With this payments deduplication TTL. */
  public VerifyOptions withDedupTtlMs(long ms) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, ms, childMainClass, recordsPerSecond, nemeses, io);
  }

  /** With this source pace (-1 auto, 0 none). */
  public VerifyOptions withRecordsPerSecond(long rate) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, rate, nemeses, io);
  }

  /** With these nemeses. */
  public VerifyOptions withNemeses(Nemeses n) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, recordsPerSecond, n, io);
  }

  /** The pace for an input of {@code inputRecords}: see {@link #recordsPerSecond()}. */
  public long effectiveRecordsPerSecond(long inputRecords) {
    return recordsPerSecond >= 0 ? recordsPerSecond : Math.max(5_000, inputRecords / 2);
  }

  /** With another child main class (tests: deliberately broken pipelines). */
  public VerifyOptions withChildMainClass(String mainClass) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, mainClass, recordsPerSecond, nemeses, io);
  }

  /** With the input and output on these stores. */
  public VerifyOptions withIo(IoOptions io) {
    return new VerifyOptions(job, guarantee, events, crashes, seed, partitions, parallelism, checkpointIntervalMs,
        faults, workDir, dedupTtlMs, childMainClass, recordsPerSecond, nemeses, io);
  }
}
