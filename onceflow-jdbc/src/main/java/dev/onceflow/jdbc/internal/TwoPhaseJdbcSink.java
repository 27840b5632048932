package dev.onceflow.jdbc.internal;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.jdbc.PreparedTransactionLostException;
import dev.onceflow.jdbc.RowMapper;
import dev.onceflow.jdbc.WriterFencedException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Two-phase commit with PostgreSQL's {@code PREPARE TRANSACTION}: one plain connection per subtask (no XA). Rows go
 * into the connection's open transaction in batches as they arrive; on barrier n the transaction checks the writer's
 * epoch (a shared lock on the progress row, held while prepared), writes a commit marker and is prepared under gid
 * {@code of1_<hash(pipeline,sink)>_<subtask>_<n>_<epoch>}; the gid is the checkpoint's token. {@link #commit} runs
 * {@code COMMIT PREPARED}; a gid already gone is fine if its marker was committed, and a lost checkpoint otherwise.
 * Recovery commits the restored checkpoint's gids (the runtime calls commit), then {@link #abortLingering} rolls back
 * every other prepared transaction of the subtask found in {@code pg_prepared_xacts}.
 */
public final class TwoPhaseJdbcSink<T> implements TwoPhaseCommitSink<T> {
  private static final Logger LOG = LoggerFactory.getLogger(TwoPhaseJdbcSink.class);
  static final byte TOKEN_VERSION = 1;
  static final byte TOKEN_KIND = 2;
  private static final long EPOCH_LOCK_TIMEOUT_MS = 30_000;
  /** How long the epoch bump waits on the progress row before it looks for a prepared transaction holding it. */
  private static final long LINGERING_CHECK_MS = 1_000;

  private final SinkSpec spec;
  private final ProgressTable progress;
  private final SharedConnection shared;

  /** For {@code spec}. */
  public TwoPhaseJdbcSink(SinkSpec spec) {
    this.spec = spec;
    this.progress = new ProgressTable(spec.progressTable());
    this.shared = new SharedConnection(spec);
  }

  @Override
  public String name() {
    return spec.name();
  }

  private void requirePreparedTransactions(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SHOW max_prepared_transactions")) {
      r.next();
      if (Integer.parseInt(r.getString(1).trim()) <= 0) {
        throw new dev.onceflow.core.NonRecoverableException("sink '" + spec.name() + "': the two-phase JDBC sink needs PREPARE "
            + "TRANSACTION, but max_prepared_transactions is 0 on " + spec.connection() + ". Set "
            + "max_prepared_transactions to at least the sink's parallelism times 2 in postgresql.conf and restart "
            + "PostgreSQL, or use the exactly-once sink (JdbcSinkBuilder.exactlyOnce()), which needs no server "
            + "setting");
      }
    }
  }

  @Override
  public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception {
    SubtaskKey key = new SubtaskKey(context.jobName(), spec.name(), context.subtask());
    Connection c = Retry.onConnectionLoss(spec, "connect of writer " + key, () -> {
      Connection conn = spec.connection().open();
      try {
        requirePreparedTransactions(conn);
        progress.create(conn);
        return conn;
      } catch (SQLException | RuntimeException e) {
        conn.close();
        throw e;
      }
    }, () -> {});
    long epoch;
    try {
      epoch = bumpEpochPastLingering(c, key);
      try (Statement s = c.createStatement()) {
        // a prepared transaction of a checkpoint that did not complete keeps its row locks until a later one does;
        // a write waiting on them fails the attempt after this long instead of stalling every later checkpoint
        s.execute("SET lock_timeout = " + spec.lockTimeout().toMillis());
      }
      c.setAutoCommit(false);
    } catch (SQLException e) {
      c.close();
      if ("55P03".equals(e.getSQLState())) {
        throw new WriterFencedException("sink '" + spec.name() + "', subtask " + key + ": the progress row is held "
            + "by a prepared transaction of another writer (a zombie process?) for over " + EPOCH_LOCK_TIMEOUT_MS
            + " ms; see pg_prepared_xacts for gids starting with " + key.gidPrefix());
      }
      throw e;
    }
    LOG.info("Sink {}: two-phase writer {} starts epoch {}", spec.name(), key, epoch);
    shared.writerOpened();
    return new Writer(key, epoch, c);
  }

  /**
   * Starts the writer's epoch. A process killed while its backend was running PREPARE TRANSACTION leaves a prepared
   * transaction that can appear after recovery listed {@code pg_prepared_xacts}; it holds the share lock on the
   * progress row, so the bump would wait for it until the lock timeout and fail the attempt. Recovery committed every
   * recorded transaction before any writer starts, so a prepared transaction of this subtask found now is of a
   * checkpoint that never completed: it is rolled back and the bump retried. A lock held by a live writer's open
   * transaction (a zombie process) still fails after {@link #EPOCH_LOCK_TIMEOUT_MS}.
   */
  private long bumpEpochPastLingering(Connection c, SubtaskKey key) throws SQLException {
    long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(EPOCH_LOCK_TIMEOUT_MS);
    while (true) {
      try {
        return progress.bumpEpoch(c, key, LINGERING_CHECK_MS);
      } catch (SQLException e) {
        if (!"55P03".equals(e.getSQLState()) || System.nanoTime() - deadline > 0) {
          throw e;
        }
        int n = rollbackPrepared(c, key, Set.of());
        if (n > 0) {
          LOG.info("Sink {}: writer {} rolled back {} prepared transaction(s) that appeared after recovery (a killed "
              + "process's PREPARE TRANSACTION finished late)", spec.name(), key, n);
        }
      }
    }
  }

  /** Rolls back every prepared transaction of {@code key} not in {@code keep}; autocommit connection. */
  private int rollbackPrepared(Connection c, SubtaskKey key, Set<String> keep) throws SQLException {
    List<String> gids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT gid FROM pg_prepared_xacts WHERE database = "
        + "current_database() AND starts_with(gid, ?) ORDER BY prepared")) {
      ps.setString(1, key.gidPrefix());
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          gids.add(r.getString(1));
        }
      }
    }
    int rolledBack = 0;
    for (String gid : gids) {
      if (keep.contains(gid) || !gid.matches("[a-z0-9_]+")) {
        continue;
      }
      try (Statement s = c.createStatement()) {
        s.execute("ROLLBACK PREPARED '" + gid + "'");
        rolledBack++;
        LOG.info("Recovery of {}: rolled back lingering prepared transaction {} (no completed checkpoint "
            + "recorded it)", key, gid);
      } catch (SQLException e) {
        if (!"42704".equals(e.getSQLState())) {
          throw e; // gone meanwhile: resolved by someone else
        }
      }
    }
    return rolledBack;
  }

  private final class Writer implements TwoPhaseCommitWriter<T> {
    private final SubtaskKey key;
    private final long epoch;
    private final Connection c;
    private final RowApplier applier = new RowApplier(spec);
    private final List<Object[]> buffer = new ArrayList<>();
    private boolean wrote;
    private boolean closed;

    Writer(SubtaskKey key, long epoch, Connection c) {
      this.key = key;
      this.epoch = epoch;
      this.c = c;
    }

    @Override
    public void beginTransaction() {
      buffer.clear();
      wrote = false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void write(T record) throws Exception {
      buffer.add(((RowMapper<T>) (Object) spec.mapper()).toRow(record));
      if (buffer.size() >= spec.batchRows()) {
        flush();
      }
    }

    /** Into the open transaction; a lost connection here fails the attempt (the transaction is gone with it). */
    private void flush() throws Exception {
      if (buffer.isEmpty()) {
        return;
      }
      RowApplier.Outcome o;
      try {
        o = applier.apply(c, buffer, false);
      } catch (java.sql.SQLException e) {
        throw SqlErrors.fatalOr(spec, "write into the open transaction", e);
      }
      wrote = true;
      applier.report(o);
      buffer.clear();
    }

    @Override
    public byte[] preCommit(long checkpointId) throws Exception {
      flush();
      if (!wrote) {
        c.rollback(); // nothing to commit: leave no empty prepared transaction behind
        return new byte[0];
      }
      long current = progress.epochForShare(c, key);
      if (current != epoch) {
        c.rollback();
        spec.metrics().recorder().fenced();
        throw new WriterFencedException("sink '" + spec.name() + "', subtask " + key + ": writer epoch " + epoch
            + " was replaced by epoch " + current + " (a newer writer started); its transaction for checkpoint "
            + checkpointId + " was rolled back. This process is a zombie and must stop");
      }
      progress.writeMarker(c, key, checkpointId, epoch);
      String gid = key.gid(checkpointId, epoch);
      try (Statement s = c.createStatement()) {
        s.execute("PREPARE TRANSACTION '" + gid + "'"); // gid is [a-z0-9_] only (SubtaskKey)
      }
      wrote = false;
      return encode(key, checkpointId, epoch, gid);
    }

    @Override
    public void abort() {
      buffer.clear();
      wrote = false;
      ProgressTable.rollbackQuietly(c);
    }

    @Override
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      ProgressTable.rollbackQuietly(c);
      try {
        c.close();
      } catch (SQLException ignored) {
        // broken already
      }
      shared.writerClosed();
    }
  }

  @Override
  public void commit(byte[] token) throws Exception {
    if (token.length == 0) {
      return;
    }
    Token t = decode(token);
    boolean committed = shared.run("COMMIT PREPARED of " + t.gid, c -> {
      try (Statement s = c.createStatement()) {
        s.execute("COMMIT PREPARED '" + t.gid + "'");
        return true;
      } catch (SQLException e) {
        if (!"42704".equals(e.getSQLState())) { // undefined_object: no prepared transaction with that gid
          throw e;
        }
        if (progress.markerExists(c, t.key, t.checkpointId, t.epoch)) {
          return false;
        }
        throw new PreparedTransactionLostException("sink '" + spec.name() + "', subtask " + t.key + ": the prepared "
            + "transaction " + t.gid + " of completed checkpoint " + t.checkpointId + " is gone and was never "
            + "committed (rolled back by hand, or the database was restored from an older state): that "
            + "checkpoint's rows are lost");
      }
    });
    var rec = spec.metrics().recorder();
    if (committed) {
      rec.applied();
    } else {
      rec.stale();
      LOG.debug("Sink {}: {} was committed before", spec.name(), t.gid);
    }
  }

  @Override
  public void abortLingering(SinkContext context, List<byte[]> recordedTokens) throws Exception {
    SubtaskKey key = new SubtaskKey(context.jobName(), spec.name(), context.subtask());
    Set<String> recorded = new HashSet<>();
    for (byte[] t : recordedTokens) {
      if (t.length > 0) {
        recorded.add(decode(t).gid);
      }
    }
    shared.run("recovery of " + key, c -> {
      requirePreparedTransactions(c);
      rollbackPrepared(c, key, recorded);
      return null;
    });
  }

  record Token(SubtaskKey key, long checkpointId, long epoch, String gid) {}

  static byte[] encode(SubtaskKey key, long checkpointId, long epoch, String gid) throws IOException {
    RowCodec.Out out = new RowCodec.Out();
    new TokenHeader(key, checkpointId, epoch).write(out, TOKEN_VERSION, TOKEN_KIND);
    RowCodec.writeString(out, gid);
    return out.toByteArray();
  }

  static Token decode(byte[] token) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(token));
    TokenHeader h = TokenHeader.read(in, TOKEN_VERSION, TOKEN_KIND, "a two-phase JDBC sink token");
    return new Token(h.key(), h.checkpointId(), h.epoch(), RowCodec.readString(in));
  }
}
