package dev.onceflow.core.testing;

import dev.onceflow.core.source.ForwardingSourceReader;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.ForwardingSource;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * Decorates a source: once {@code pauseAt} records were emitted (over all subtasks), readers emit nothing until
 * {@code completedCheckpoints} reaches {@code minCheckpoints}. Makes "a failure after a completed checkpoint" happen
 * however fast the machine is, by waiting on the checkpoint condition instead of on time.
 */
public final class GatedSource<T> extends ForwardingSource<T> {
  private final long pauseAt;
  private final LongSupplier completedCheckpoints;
  private final long minCheckpoints;
  private final AtomicLong emitted = new AtomicLong();

  public GatedSource(Source<T> inner, long pauseAt, LongSupplier completedCheckpoints, long minCheckpoints) {
    super(inner);
    this.pauseAt = pauseAt;
    this.completedCheckpoints = completedCheckpoints;
    this.minCheckpoints = minCheckpoints;
  }


  @Override
  public SourceReader<T> createReader(SourceContext context) throws Exception {
    SourceReader<T> r = super.createReader(context);
    return new ForwardingSourceReader<>(r) {
      @Override
      public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
        if (emitted.get() >= pauseAt && completedCheckpoints.getAsLong() < minCheckpoints) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // re-check the checkpoint condition
          return ReadStatus.NOTHING_AVAILABLE;
        }
        ReadStatus s = r.poll(new SourceOutput<>() {
          @Override
          public void collect(T record) {
            emitted.incrementAndGet();
            output.collect(record);
          }

          @Override
          public void collect(T record, long timestamp) {
            emitted.incrementAndGet();
            output.collect(record, timestamp);
          }

          @Override
          public void decodeFailed(String what, Exception cause) {
            output.decodeFailed(what, cause);
          }
        }, maxRecords);
        return s;
      }
    };
  }
}
