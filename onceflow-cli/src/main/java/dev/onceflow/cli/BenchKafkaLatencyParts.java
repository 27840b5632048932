package dev.onceflow.cli;

import dev.onceflow.core.JobListener;
import dev.onceflow.core.metrics.CheckpointStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Where the committed-output latency of {@code onceflow bench kafka}'s checkpointed latency runs went (every round of
 * one mode together). A record becomes visible after the checkpoint that commits its transaction, so its latency
 * (due to visible) is split at that checkpoint's trigger and at the end of its commit:
 *
 * <ul>
 *   <li><b>to trigger</b>: due until that checkpoint was triggered (the wait for the next barrier, up to one interval,
 *       plus the input's way to the source: the paced producer's batching and the source's fetch);
 *   <li><b>checkpoint</b>: trigger until the sinks' commits returned (the {@link CheckpointStats} phases split it);
 *   <li><b>to visible</b>: the commit's return until the measuring {@code read_committed} consumer had the record (the
 *       broker writing the transaction markers, the last stable offset moving, the consumer's fetch).
 * </ul>
 *
 * The committing checkpoint is not known per record (the map job passes the bytes on): it is taken as the last one
 * triggered before the record was seen, or the one before that, whichever's commit the listener heard of closer to
 * the moment the record was seen. The broker writes a transaction's markers as it answers the commit and the
 * subtasks' transactions are committed in parallel, so a record can be visible before the listener hears of its
 * checkpoint's commits (then "committed to visible" is negative); and the last records of a checkpoint can become
 * visible after the next one was triggered. Under heavy load (the listener late by more than an interval) a record
 * can be put in the wrong checkpoint: the parts are an estimate; the latency itself is measured exactly.
 */
final class BenchKafkaLatencyParts implements JobListener {
  private final List<CheckpointStats> stats = new ArrayList<>();
  /** {trigger, committed} System.nanoTime of every completed checkpoint, in order. Guarded by this. */
  private final List<long[]> checkpoints = new ArrayList<>();
  private long[] due = new long[1 << 16];
  private long[] seen = new long[1 << 16];
  private int records;

  @Override
  public synchronized void onCheckpointStats(CheckpointStats s) {
    if (s.completed()) {
      long now = System.nanoTime();
      stats.add(s);
      checkpoints.add(new long[] {now - s.durationNanos(), now});
    }
  }

  /** A measured record: due at {@code dueNanos}, seen by the measuring consumer at {@code seenNanos}. */
  synchronized void record(long dueNanos, long seenNanos) {
    if (records == due.length) {
      due = Arrays.copyOf(due, 2 * records);
      seen = Arrays.copyOf(seen, 2 * records);
    }
    due[records] = dueNanos;
    seen[records++] = seenNanos;
  }

  /** The checkpoints' phases over every round. */
  synchronized LatencyBenchmark.Phases phases() {
    return LatencyBenchmark.Phases.of(stats);
  }

  /**
   * The parts, ms: for each of to trigger, checkpoint, to visible, {p50, p99, mean over the records at or above the
   * total's p99}; null before any record could be attributed.
   */
  synchronized double[][] parts() {
    List<long[]> c = new ArrayList<>(checkpoints);
    c.sort((a, b) -> Long.compare(a[0], b[0]));
    long[] triggered = c.stream().mapToLong(x -> x[0]).toArray();
    List<long[]> rows = new ArrayList<>(); // {total, toTrigger, checkpoint, toVisible}
    for (int i = 0; i < records; i++) {
      int k = Arrays.binarySearch(triggered, seen[i]);
      int at = k >= 0 ? k : -k - 2; // the last triggered at or before seen
      if (at > 0 && Math.abs(seen[i] - c.get(at - 1)[1]) < Math.abs(c.get(at)[1] - seen[i])) {
        at--;
      }
      if (at < 0) {
        continue; // seen before any listened commit (the warm-up's)
      }
      long trigger = c.get(at)[0];
      long commit = c.get(at)[1];
      rows.add(new long[] {seen[i] - due[i], trigger - due[i], commit - trigger, seen[i] - commit});
    }
    if (rows.isEmpty()) {
      return null;
    }
    rows.sort((a, b) -> Long.compare(a[0], b[0]));
    int p99 = (int) Math.ceil(0.99 * rows.size()) - 1;
    double[][] out = new double[3][];
    for (int part = 1; part <= 3; part++) {
      int col = part;
      long[] v = rows.stream().mapToLong(r -> r[col]).sorted().toArray();
      double tailMean = rows.subList(p99, rows.size()).stream().mapToLong(r -> r[col]).average().orElse(0);
      out[part - 1] = new double[] {v[(v.length - 1) / 2] / 1e6, v[(int) Math.ceil(0.99 * v.length) - 1] / 1e6,
          tailMean / 1e6};
    }
    return out;
  }

  /** Two lines for the text output: the phases and the parts. */
  synchronized String describe() {
    LatencyBenchmark.Phases ph = phases();
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "  %d checkpoints, ms median/p90/max: duration %s, barrier start %s,"
        + " alignment %s, sync snapshot %s, snapshot write %s, acknowledged %s, metadata write %s, sink commit %s%n",
        ph.checkpoints(), f(ph.durationMs()), f(ph.barrierStartMs()), f(ph.alignmentMs()), f(ph.syncSnapshotMs()),
        f(ph.snapshotWriteMs()), f(ph.acknowledgeMs()), f(ph.metadataWriteMs()), f(ph.sinkCommitMs())));
    double[][] p = parts();
    if (p != null) {
      b.append(String.format(Locale.ROOT, "  latency parts, ms p50/p99/mean of the slowest 1 %%: due to trigger %s,"
          + " trigger to committed %s, committed to visible %s%n", f(p[0]), f(p[1]), f(p[2])));
    }
    return b.toString();
  }

  private static String f(double[] v) {
    StringBuilder b = new StringBuilder();
    for (double x : v) {
      b.append(b.length() == 0 ? "" : "/").append(String.format(Locale.ROOT, "%.1f", x));
    }
    return b.toString();
  }
}
