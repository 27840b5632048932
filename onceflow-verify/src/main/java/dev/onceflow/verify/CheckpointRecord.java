package dev.onceflow.verify;

import dev.onceflow.core.metrics.CheckpointStats;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One checkpoint of one child run as the child measured it ({@link CheckpointStats}), carried to the verifier as a
 * {@code STATS checkpoint ...} line and shown in the report's checkpoint timeline. Durations in microseconds.
 *
 * @param run the child run (0 = the first process)
 * @param id checkpoint id
 * @param finalCheckpoint the end-of-input checkpoint
 * @param triggeredAtMillis wall-clock time the child's coordinator triggered it
 * @param totalMicros trigger until every sink committed (or until it failed)
 * @param acknowledgeMicros trigger until the last subtask acknowledged (includes alignment and snapshot writes)
 * @param barrierStartMicros trigger until the last source subtask injected the barrier
 * @param alignmentMicros longest barrier alignment of a subtask
 * @param syncSnapshotMicros longest synchronous snapshot of a subtask, on its task thread
 * @param snapshotWriteMicros longest asynchronous snapshot write of a subtask
 * @param metadataWriteMicros the {@code _metadata} write with its fsyncs
 * @param sinkCommitMicros the sinks' commits
 * @param sizeBytes snapshot bytes
 * @param failure the failure reason's tag, or null if it completed
 */
public record CheckpointRecord(int run, long id, boolean finalCheckpoint, long triggeredAtMillis, long totalMicros,
    long acknowledgeMicros, long barrierStartMicros, long alignmentMicros, long syncSnapshotMicros,
    long snapshotWriteMicros, long metadataWriteMicros,
    long sinkCommitMicros, long sizeBytes, String failure) {

  /** The line prefix; not a prefix of any line the harness triggers kills on. */
  public static final String PREFIX = "STATS checkpoint ";

  /** The line a child prints for {@code s}. */
  public static String line(CheckpointStats s) {
    return PREFIX + "id=" + s.id() + " final=" + s.finalCheckpoint() + " at=" + s.triggeredAtMillis()
        + " total=" + micros(s.durationNanos()) + " ack=" + micros(s.acknowledgeNanos())
        + " start=" + micros(s.barrierStartNanos()) + " align=" + micros(s.alignmentNanos())
        + " sync=" + micros(s.syncSnapshotNanos()) + " snapshot=" + micros(s.snapshotWriteNanos())
        + " metadata=" + micros(s.metadataWriteNanos()) + " commit=" + micros(s.sinkCommitNanos())
        + " bytes=" + s.sizeBytes() + " failure=" + (s.failure() == null ? "-" : s.failure().tag());
  }

  /** Parses a line of {@link #line}, printed by child run {@code run}; null if {@code line} is not one. */
  public static CheckpointRecord parse(int run, String line) {
    if (!line.startsWith(PREFIX)) {
      return null;
    }
    Map<String, String> f = new HashMap<>();
    for (String part : line.substring(PREFIX.length()).trim().split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        f.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    try {
      String failure = f.getOrDefault("failure", "-");
      return new CheckpointRecord(run, Long.parseLong(f.get("id")), Boolean.parseBoolean(f.get("final")),
          Long.parseLong(f.get("at")), Long.parseLong(f.get("total")), Long.parseLong(f.get("ack")),
          Long.parseLong(f.get("start")), Long.parseLong(f.get("align")), Long.parseLong(f.get("sync")),
          Long.parseLong(f.get("snapshot")), Long.parseLong(f.get("metadata")),
          Long.parseLong(f.get("commit")), Long.parseLong(f.get("bytes")), failure.equals("-") ? null : failure);
    } catch (RuntimeException malformed) {
      return null; // a line cut by a kill mid-write
    }
  }

  /** True if the checkpoint completed. */
  public boolean completed() {
    return failure == null;
  }

  private static long micros(long nanos) {
    return nanos / 1_000;
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "run %d checkpoint %d: %.1f ms%s", run, id, totalMicros / 1000.0,
        failure == null ? "" : " (" + failure + ")");
  }
}
