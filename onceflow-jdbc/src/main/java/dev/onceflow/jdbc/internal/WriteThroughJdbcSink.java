package dev.onceflow.jdbc.internal;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The write-through JDBC sinks (upsert, insert-unique, plain insert, custom statement): rows are buffered and written
 * in one local transaction per flush (every input batch, every barrier), so a completed checkpoint never covers an
 * unwritten row. Idempotent (allowed under EXACTLY_ONCE) only for upsert and insert-unique.
 */
public final class WriteThroughJdbcSink<T> implements WriteThroughSink<T> {
  /** Test-only mutation: the sink does not ask for aligned snapshots (the verifier must then catch overcounts). */
  static final boolean MUTATION_UNALIGNED = "unaligned".equals(System.getProperty("onceflow.jdbc.mutation"));
  private final SinkSpec spec;

  /** For {@code spec}. */
  public WriteThroughJdbcSink(SinkSpec spec) {
    this.spec = spec;
  }

  @Override
  public String name() {
    return spec.name();
  }

  /** Upsert (replacement) and insert-unique replay to the same table; insert, accumulate and custom do not. */
  @Override
  public boolean idempotent() {
    return spec.mode() == WriteMode.UPSERT || spec.mode() == WriteMode.INSERT_UNIQUE;
  }

  /**
   * Upsert and insert-unique claim an exact table under AT_LEAST_ONCE, also for rows computed from state (window
   * counts, running totals): that needs restored state consistent with the source positions, or a replay recounts
   * records an unaligned snapshot already held and the sink writes the overcount. So they ask for aligned snapshots
   * (the rows are still written through; a replay rewrites the same values).
   */
  @Override
  public boolean needsAlignedSnapshots() {
    return idempotent() && !MUTATION_UNALIGNED;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext context) {
    return new Writer();
  }

  private final class Writer implements SinkWriter<T> {
    private final RowApplier applier = new RowApplier(spec);
    private final List<Object[]> buffer = new ArrayList<>();
    private Connection connection;
    private long firstBufferedNanos;

    @Override
    @SuppressWarnings("unchecked")
    public void write(T record) throws Exception {
      if (buffer.isEmpty()) {
        firstBufferedNanos = spec.nanoClock().getAsLong();
      }
      buffer.add(((dev.onceflow.jdbc.RowMapper<T>) (Object) spec.mapper()).toRow(record));
      if (buffer.size() >= spec.batchRows()) {
        flush();
      }
    }

    /**
     * Between barriers rows are written once {@code batchRows} are buffered (in {@link #write}) or the oldest has
     * waited {@code maxHold}: a commit (and its WAL fsync) per input batch cost twice the plain loop's.
     * Barriers, idle input and the end of input still flush everything ({@link #flush}).
     */
    @Override
    public void endOfBatch() throws Exception {
      if (!buffer.isEmpty() && spec.nanoClock().getAsLong() - firstBufferedNanos >= spec.maxHold().toNanos()) {
        flush();
      }
    }

    @Override
    public void flush() throws Exception {
      if (buffer.isEmpty()) {
        return;
      }
      RowApplier.Outcome o = Retry.onConnectionLoss(spec, "write of " + buffer.size() + " rows", () -> {
        Connection c = connection();
        try {
          RowApplier.Outcome out = applier.apply(c, buffer, true);
          c.commit();
          return out;
        } catch (SQLException | RuntimeException e) {
          ProgressTable.rollbackQuietly(c);
          throw e;
        }
      }, this::drop);
      applier.report(o);
      buffer.clear();
    }

    private Connection connection() throws SQLException {
      if (connection == null) {
        connection = spec.connection().open();
        connection.setAutoCommit(false);
      }
      return connection;
    }

    private void drop() {
      if (connection != null) {
        try {
          connection.close();
        } catch (SQLException ignored) {
          // broken already
        }
        connection = null;
      }
    }

    @Override
    public void close() {
      buffer.clear();
      drop();
    }
  }
}
