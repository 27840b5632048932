package dev.onceflow.verify;

import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces a source to at most {@code recordsPerSecond} in total (split evenly over its subtasks), so that a small
 * verification input lasts long enough for its crashes to land during the run rather than after it finished. The
 * pace is kept by a deadline per subtask (no lock, no allocation per record); polls ask for small chunks so barriers
 * are not held back.
 */
final class PacedSource<T> extends ForwardingSource<T> {
  private static final int CHUNK = 64;
  private final long recordsPerSecond;

  PacedSource(Source<T> source, long recordsPerSecond) {
    super(source);
    if (recordsPerSecond < 1) {
      throw new IllegalArgumentException("recordsPerSecond must be >= 1, was " + recordsPerSecond);
    }
    this.recordsPerSecond = recordsPerSecond;
  }


  @Override
  public SourceReader<T> createReader(SourceContext context) throws Exception {
    SourceReader<T> r = super.createReader(context);
    long nanosPerRecord = Math.max(1, 1_000_000_000L * context.parallelism() / recordsPerSecond);
    return new ForwardingSourceReader<>(r) {
      private final Counting<T> counting = new Counting<>();
      private long next = System.nanoTime();

      @Override
      public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
        long wait = next - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        counting.out = output;
        counting.count = 0;
        ReadStatus status = r.poll(counting, Math.min(maxRecords, CHUNK));
        long now = System.nanoTime();
        next = Math.max(next, now - 50_000_000L) + counting.count * nanosPerRecord; // no burst after a stall
        return status;
      }
    };
  }

  private static final class Counting<T> implements SourceOutput<T> {
    SourceOutput<T> out;
    long count;

    @Override
    public void collect(T record) {
      count++;
      out.collect(record);
    }

    @Override
    public void collect(T record, long timestamp) {
      count++;
      out.collect(record, timestamp);
    }

    @Override
    public void decodeFailed(String what, Exception cause) {
      out.decodeFailed(what, cause);
    }
  }
}
