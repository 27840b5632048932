package dev.onceflow.log.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Per partition: the open transaction ranges (which hold back the last stable offset) and the aborted ranges (which
 * read-committed readers skip). A range is (producer id, first data offset, last data offset) of one transaction in
 * this partition; ranges of one producer id never interleave, because a producer prepares (or ends) a transaction
 * before it writes the next one. Mutations happen under the partition's append lock; {@link #isAborted} and
 * {@link #firstUnstable()} are read lock-free by consumers.
 */
final class TxnIndex {
  /** One open transaction's data in this partition. txnSeq is -1 until recovery assigns it. */
  static final class OpenRange {
    final long pid;
    long txnSeq;
    final long first;
    long last;

    OpenRange(long pid, long txnSeq, long first, long last) {
      this.pid = pid;
      this.txnSeq = txnSeq;
      this.first = first;
      this.last = last;
    }
  }

  private final Map<Long, List<OpenRange>> openByPid = new HashMap<>();
  private final TreeMap<Long, OpenRange> openByFirst = new TreeMap<>();
  private volatile long firstUnstable = Long.MAX_VALUE;
  private final ConcurrentHashMap<Long, ConcurrentSkipListMap<Long, Long>> aborted = new ConcurrentHashMap<>();

  /** Records a transactional data batch [base, last] of (pid, txnSeq). */
  void dataAppended(long pid, long txnSeq, long base, long last) {
    List<OpenRange> ranges = openByPid.computeIfAbsent(pid, k -> new ArrayList<>(2));
    for (OpenRange r : ranges) {
      if (r.txnSeq == txnSeq && txnSeq >= 0) {
        r.last = last;
        return;
      }
    }
    OpenRange r = new OpenRange(pid, txnSeq, base, last);
    ranges.add(r);
    openByFirst.put(base, r);
    update();
  }

  /** Recovery: each uncovered batch becomes its own range (txnSeq -1) until {@link #claim} or abort merges them. */
  void recoveredBatch(long pid, long base, long last) {
    OpenRange r = new OpenRange(pid, -1, base, last);
    openByPid.computeIfAbsent(pid, k -> new ArrayList<>(2)).add(r);
    openByFirst.put(base, r);
    update();
  }

  /** The open range of (pid, txnSeq), or null. */
  OpenRange find(long pid, long txnSeq) {
    List<OpenRange> ranges = openByPid.get(pid);
    if (ranges != null) {
      for (OpenRange r : ranges) {
        if (r.txnSeq == txnSeq) {
          return r;
        }
      }
    }
    return null;
  }

  /** Whether (pid, first) still has open data (i.e. no marker covers it yet). */
  boolean hasOpenAt(long pid, long first) {
    OpenRange r = openByFirst.get(first);
    return r != null && r.pid == pid;
  }

  /** A marker for [first, last] of pid: closes every open range of pid inside it. */
  void markerApplied(long pid, boolean commit, long first, long last) {
    List<OpenRange> ranges = openByPid.get(pid);
    if (ranges != null) {
      for (Iterator<OpenRange> it = ranges.iterator(); it.hasNext(); ) {
        OpenRange r = it.next();
        if (r.first >= first && r.first <= last) {
          it.remove();
          openByFirst.remove(r.first);
        }
      }
      if (ranges.isEmpty()) {
        openByPid.remove(pid);
      }
    }
    if (!commit) {
      aborted.computeIfAbsent(pid, k -> new ConcurrentSkipListMap<>()).put(first, last);
    }
    update();
  }

  /** Recovery: merges the recovered batches of pid inside [first, last] into one range owned by txnSeq. */
  void claim(long pid, long txnSeq, long first, long last) {
    List<OpenRange> ranges = openByPid.get(pid);
    if (ranges == null) {
      return;
    }
    OpenRange merged = null;
    for (Iterator<OpenRange> it = ranges.iterator(); it.hasNext(); ) {
      OpenRange r = it.next();
      if (r.txnSeq == -1 && r.first >= first && r.first <= last) {
        if (merged == null) {
          merged = r;
          r.txnSeq = txnSeq;
        } else {
          merged.last = Math.max(merged.last, r.last);
          it.remove();
          openByFirst.remove(r.first);
        }
      }
    }
  }

  /**
   * Recovery: the unclaimed batches of every producer id, grouped into maximal runs that contain no claimed range,
   * as [pid, first, last] triples. These belong to transactions that never prepared: they are aborted.
   */
  List<long[]> unclaimedRuns() {
    List<long[]> runs = new ArrayList<>();
    for (Map.Entry<Long, List<OpenRange>> e : openByPid.entrySet()) {
      List<OpenRange> sorted = new ArrayList<>(e.getValue());
      sorted.sort((a, b) -> Long.compare(a.first, b.first));
      long[] run = null;
      for (OpenRange r : sorted) {
        if (r.txnSeq != -1) {
          if (run != null) {
            runs.add(run);
            run = null;
          }
        } else if (run == null) {
          run = new long[] {e.getKey(), r.first, r.last};
        } else {
          run[2] = r.last;
        }
      }
      if (run != null) {
        runs.add(run);
      }
    }
    return runs;
  }

  /** Whether a transactional batch of pid at offset was aborted. */
  boolean isAborted(long pid, long offset) {
    ConcurrentSkipListMap<Long, Long> ranges = aborted.get(pid);
    if (ranges == null) {
      return false;
    }
    Map.Entry<Long, Long> e = ranges.floorEntry(offset);
    return e != null && e.getValue() >= offset;
  }

  /** Forgets aborted ranges entirely below the start offset (their data was deleted). */
  void pruneBelow(long startOffset) {
    for (ConcurrentSkipListMap<Long, Long> ranges : aborted.values()) {
      ranges.entrySet().removeIf(e -> e.getValue() < startOffset);
    }
  }

  /** First offset of the earliest open range, or Long.MAX_VALUE. */
  long firstUnstable() {
    return firstUnstable;
  }

  private void update() {
    firstUnstable = openByFirst.isEmpty() ? Long.MAX_VALUE : openByFirst.firstKey();
  }
}
