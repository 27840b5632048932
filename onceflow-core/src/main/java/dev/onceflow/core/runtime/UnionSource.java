package dev.onceflow.core.runtime;

import dev.onceflow.core.Collector;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The union of several source branches (each a source plus the stateless map/filter/flatMap applied to it before the
 * union), read by one reader per subtask. Its position is the concatenation of the branches' positions, so a restore
 * rewinds every branch. Its watermark is the minimum over branches of (max timestamp - bound - 1), each branch with
 * its own watermark strategy; a finished or idle branch does not hold it back.
 */
final class UnionSource implements Source<Object> {
  /** One input of the union. */
  record Branch(Source<Object> source, Transformation.WatermarkSpec watermarks, List<Transformation> ops) {}

  /**
   * A record of branch {@code branch} of a tagged union: a pipeline with several sources reads them all in stage 0
   * through one tagged union, and stage 0 hands each record to its own source's consumers.
   */
  record Tagged(int branch, Object value) {}

  private final List<Branch> branches;
  private final boolean tagged;
  private final java.util.function.LongSupplier nanoClock;

  UnionSource(List<Branch> branches) {
    this(branches, false);
  }

  /** A union whose records are wrapped in {@link Tagged} if {@code tagged}. */
  UnionSource(List<Branch> branches, boolean tagged) {
    this(branches, tagged, System::nanoTime);
  }

  UnionSource(List<Branch> branches, boolean tagged, java.util.function.LongSupplier nanoClock) {
    this.branches = List.copyOf(branches);
    this.tagged = tagged;
    this.nanoClock = nanoClock;
  }

  @Override
  public String name() {
    StringBuilder b = new StringBuilder("union");
    for (Branch br : branches) {
      b.append('-').append(br.source().name());
    }
    return b.toString();
  }

  @Override
  public SourceReader<Object> createReader(SourceContext ctx) throws Exception {
    List<byte[]> positions = ctx.restoredPosition().map(UnionSource::branchPositions).orElse(List.of());
    List<SourceReader<Object>> readers = new ArrayList<>();
    for (int i = 0; i < branches.size(); i++) {
      Optional<byte[]> pos = i < positions.size() ? Optional.ofNullable(positions.get(i)) : Optional.empty();
      readers.add(branches.get(i).source().createReader(
          new SourceContext(ctx.jobName(), ctx.subtask(), ctx.parallelism(), pos)));
    }
    return new Reader(readers);
  }

  /** Hands every branch source its own part of each subtask's position (so e.g. each LogSource commits its own). */
  @Override
  public void checkpointCompleted(long checkpointId, List<byte[]> subtaskPositions) {
    for (int b = 0; b < branches.size(); b++) {
      List<byte[]> mine = new ArrayList<>(subtaskPositions.size());
      for (byte[] position : subtaskPositions) {
        List<byte[]> parts = position == null ? List.of() : branchPositions(position);
        mine.add(b < parts.size() ? parts.get(b) : null);
      }
      branches.get(b).source().checkpointCompleted(checkpointId, mine);
    }
  }

  /** Splits a union position into its branches' positions (null for a branch that had none). */
  private static List<byte[]> branchPositions(byte[] position) {
    try {
      DataInputStream in = new DataInputStream(new ByteArrayInputStream(position));
      int n = in.readInt();
      List<byte[]> positions = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        int len = in.readInt();
        byte[] p = len < 0 ? null : new byte[len];
        if (p != null) {
          in.readFully(p);
        }
        positions.add(p);
      }
      return positions;
    } catch (IOException e) {
      throw new IllegalArgumentException("corrupt union source position (" + position.length + " bytes)", e);
    }
  }

  private final class Reader implements SourceReader<Object> {
    private final List<SourceReader<Object>> readers;
    private final boolean[] ended;
    private final long[] maxTimestamp;
    /** When each branch last emitted a record (its idleness clock). */
    private final long[] lastDataNanos;

    Reader(List<SourceReader<Object>> readers) {
      this.readers = readers;
      this.ended = new boolean[readers.size()];
      this.maxTimestamp = new long[readers.size()];
      java.util.Arrays.fill(maxTimestamp, Long.MIN_VALUE);
      this.lastDataNanos = new long[readers.size()];
      java.util.Arrays.fill(lastDataNanos, nanoClock.getAsLong());
    }

    @Override
    public ReadStatus poll(SourceOutput<Object> output, int maxRecords) throws Exception {
      boolean more = false;
      boolean allEnded = true;
      int share = Math.max(1, maxRecords / readers.size());
      for (int i = 0; i < readers.size(); i++) {
        if (ended[i]) {
          continue;
        }
        BranchOutput out = new BranchOutput(i, output);
        ReadStatus s = readers.get(i).poll(out, share);
        if (s == ReadStatus.END_OF_INPUT) {
          ended[i] = true;
        } else {
          allEnded = false;
          more |= s == ReadStatus.MORE_AVAILABLE;
        }
      }
      return allEnded ? ReadStatus.END_OF_INPUT : more ? ReadStatus.MORE_AVAILABLE : ReadStatus.NOTHING_AVAILABLE;
    }

    /** Applies the branch's stateless operators, then emits into the union. */
    private final class BranchOutput implements SourceOutput<Object> {
      private final int branch;
      private final SourceOutput<Object> out;

      BranchOutput(int branch, SourceOutput<Object> out) {
        this.branch = branch;
        this.out = out;
      }

      @Override
      public void collect(Object record) {
        collect(record, Long.MIN_VALUE);
      }

      @Override
      public void collect(Object record, long timestamp) {
        if (timestamp > maxTimestamp[branch]) {
          maxTimestamp[branch] = timestamp;
        }
        lastDataNanos[branch] = nanoClock.getAsLong();
        apply(branches.get(branch).ops(), 0, record, timestamp);
      }

      private void apply(List<Transformation> ops, int from, Object record, long ts) {
        for (int k = from; k < ops.size(); k++) {
          Transformation t = ops.get(k);
          if (t instanceof Transformation.MapT m) {
            record = m.fn().apply(record);
          } else if (t instanceof Transformation.FilterT f) {
            if (!f.fn().test(record)) {
              return;
            }
          } else if (t instanceof Transformation.FlatMapT fm) {
            int next = k + 1;
            Collector<Object> c = r -> apply(ops, next, r, ts);
            fm.fn().accept(record, c);
            return;
          }
        }
        out.collect(tagged ? new Tagged(branch, record) : record, ts);
      }

      @Override
      public void decodeFailed(String what, Exception cause) {
        out.decodeFailed(what, cause);
      }
    }

    @Override
    public byte[] snapshotPosition() {
      try {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(readers.size());
        for (SourceReader<Object> r : readers) {
          byte[] p = r.snapshotPosition();
          out.writeInt(p.length);
          out.write(p);
        }
        out.flush();
        return bytes.toByteArray();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    /** Every branch reached its part of {@code position}. */
    @Override
    public boolean hasReached(byte[] position) {
      List<byte[]> parts = branchPositions(position);
      for (int i = 0; i < parts.size() && i < readers.size(); i++) {
        if (parts.get(i) != null && !readers.get(i).hasReached(parts.get(i))) {
          return false;
        }
      }
      return true;
    }

    /**
     * The minimum over the active branches (neither finished, nor without anything assigned, nor idle: no record for
     * their strategy's idle timeout) of each branch's watermark. Without an active branch: if some branch finished,
     * the others are idle or have nothing, so everything this reader will emit is known to be through: {@code
     * Long.MAX_VALUE - 1}, which fires every timer (as Flink's finished input among idle ones does); else +infinity,
     * which the runtime reads as idle.
     */
    @Override
    public long currentWatermark() {
      long min = Long.MAX_VALUE;
      boolean active = false;
      boolean anyEnded = false;
      long now = nanoClock.getAsLong();
      for (int i = 0; i < readers.size(); i++) {
        Transformation.WatermarkSpec spec = branches.get(i).watermarks();
        long own = readers.get(i).currentWatermark();
        if (ended[i]) {
          anyEnded = true;
          continue;
        }
        if (own == Long.MAX_VALUE) {
          continue; // nothing assigned: does not hold back the union
        }
        if (spec.idleTimeoutMillis() > 0 && now - lastDataNanos[i] > spec.idleTimeoutMillis() * 1_000_000L) {
          continue; // idle branch
        }
        long wm;
        if (spec.fromReader()) {
          wm = own == SourceReader.HOLD_BACK ? Long.MIN_VALUE : own;
        } else if (!spec.enabled() || maxTimestamp[i] == Long.MIN_VALUE || own == SourceReader.HOLD_BACK) {
          wm = Long.MIN_VALUE;
        } else {
          long progress = own != Long.MIN_VALUE && own < maxTimestamp[i] ? own : maxTimestamp[i];
          wm = progress - spec.maxOutOfOrdernessMillis() - 1;
        }
        min = Math.min(min, wm);
        active = true;
      }
      if (!active) {
        return anyEnded ? Long.MAX_VALUE - 1 : Long.MAX_VALUE;
      }
      return min;
    }

    @Override
    public void close() throws Exception {
      Exception first = null;
      for (SourceReader<Object> r : readers) {
        try {
          r.close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }
}
