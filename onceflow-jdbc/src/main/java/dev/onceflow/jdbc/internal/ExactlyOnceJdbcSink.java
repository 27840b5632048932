package dev.onceflow.jdbc.internal;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.jdbc.RowMapper;
import dev.onceflow.jdbc.WriterFencedException;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exactly-once without XA or a server setting. The writer only buffers: on barrier n its rows become the checkpoint's
 * token (so they survive a kill between the checkpoint's completion and the apply: they are in the completed
 * checkpoint). {@link #commit} — called only once checkpoint n completed, and again on recovery — applies them in one
 * local transaction together with the subtask's progress row: under the row's lock, a token whose checkpoint id is
 * not newer than the row's changes nothing (already applied), one whose epoch is older than the row's (a zombie's)
 * is refused; otherwise rows and progress commit together.
 */
public final class ExactlyOnceJdbcSink<T> implements TwoPhaseCommitSink<T> {
  private static final Logger LOG = LoggerFactory.getLogger(ExactlyOnceJdbcSink.class);
  static final byte TOKEN_VERSION = 1;
  static final byte TOKEN_KIND = 1;
  /** Test-only: apply on the barrier, before the checkpoint completed (the mutation the kill tests must catch). */
  static final boolean MUTATION_APPLY_EARLY =
      "apply-before-complete".equals(System.getProperty("onceflow.jdbc.mutation"));
  private static final long EPOCH_LOCK_TIMEOUT_MS = 30_000;

  private final SinkSpec spec;
  private final ProgressTable progress;
  private final SharedConnection shared;
  private final RowApplier applier;
  /** Per subtask, the connection its tokens are applied on by {@link #commitAll}. */
  private final Map<Integer, SharedConnection> perSubtask = new HashMap<>();
  /**
   * The rows of tokens this process made, by token identity: the runtime hands {@link #commitAll} the very arrays
   * {@code preCommit} returned, and decoding them again cost about a fifth of the JVM's time in the bench. A token
   * read back from a checkpoint (recovery) is another array and is decoded; an entry goes when its token is applied
   * or no longer referenced (a failed checkpoint's). The bytes stay the durable copy: nothing is applied that is not
   * in them.
   */
  private final Map<byte[], List<Object[]>> ownRows = java.util.Collections.synchronizedMap(new java.util.WeakHashMap<>());
  private final ExecutorService appliers = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "onceflow-jdbc-apply");
    t.setDaemon(true);
    return t;
  });

  /** For {@code spec}. */
  public ExactlyOnceJdbcSink(SinkSpec spec) {
    this.spec = spec;
    this.progress = new ProgressTable(spec.progressTable());
    this.shared = new SharedConnection(spec);
    this.applier = new RowApplier(spec);
  }

  @Override
  public String name() {
    return spec.name();
  }

  @Override
  public TwoPhaseCommitWriter<T> createWriter(SinkContext context) throws Exception {
    SubtaskKey key = new SubtaskKey(context.jobName(), spec.name(), context.subtask());
    long epoch = shared.run("epoch bump of " + key, c -> {
      progress.create(c);
      return progress.bumpEpoch(c, key, EPOCH_LOCK_TIMEOUT_MS);
    });
    LOG.info("Sink {}: writer {} starts epoch {}", spec.name(), key, epoch);
    shared.writerOpened();
    subtaskConnection(context.subtask()).writerOpened();
    return new Writer(key, epoch);
  }

  private final class Writer implements TwoPhaseCommitWriter<T> {
    private final SubtaskKey key;
    private final long epoch;
    private List<Object[]> rows = new ArrayList<>();
    private int lastTokenBytes = 1024;
    private boolean closed;

    Writer(SubtaskKey key, long epoch) {
      this.key = key;
      this.epoch = epoch;
    }

    @Override
    public void beginTransaction() {
      rows.clear();
    }

    @Override
    @SuppressWarnings("unchecked")
    public void write(T record) {
      Object[] row = ((RowMapper<T>) (Object) spec.mapper()).toRow(record);
      if (row.length != spec.columns().size()) {
        throw new IllegalArgumentException("sink '" + spec.name() + "': the row mapper gave " + row.length
            + " values for " + spec.columns().size() + " columns " + spec.columns());
      }
      rows.add(row);
    }

    @Override
    public byte[] preCommit(long checkpointId) throws Exception {
      byte[] token = encode(key, checkpointId, epoch, rows, lastTokenBytes + lastTokenBytes / 8);
      lastTokenBytes = token.length;
      ownRows.put(token, rows);
      rows = new ArrayList<>(rows.size());
      if (MUTATION_APPLY_EARLY) {
        commit(token);
      }
      return token;
    }

    @Override
    public void abort() {
      rows.clear();
    }

    @Override
    public void close() {
      if (!closed) {
        closed = true;
        shared.writerClosed();
        subtaskConnection(key.subtask()).writerClosed();
      }
    }
  }

  @Override
  public void commit(byte[] token) throws Exception {
    apply(shared, token(token));
  }

  /** The token's rows: this process's own from memory, else decoded. */
  private Token token(byte[] token) throws IOException {
    List<Object[]> rows = ownRows.remove(token);
    if (rows == null) {
      return decode(token);
    }
    TokenHeader h = header(new DataInputStream(new ByteArrayInputStream(token)));
    return new Token(h.key(), h.checkpointId(), h.epoch(), rows);
  }

  /**
   * The subtasks' tokens of a completed checkpoint are applied concurrently, each subtask's in order on a connection
   * of its own (one PostgreSQL backend per subtask, as the writers of the plain loop have): every apply is its own
   * transaction on its own progress row, so they are independent. Returns once all are applied. An apply that fails
   * on a deadlock or serialization failure with another subtask's (two subtasks writing the same rows: the stream was
   * not keyed by the table's key) was rolled back whole and is run again after the others, one after the other.
   */
  @Override
  public void commitAll(List<byte[]> tokens) throws Exception {
    Map<Integer, List<byte[]>> bySubtask = new LinkedHashMap<>();
    for (byte[] token : tokens) {
      bySubtask.computeIfAbsent(subtaskOf(token), k -> new ArrayList<>()).add(token);
    }
    if (bySubtask.size() <= 1 || MUTATION_APPLY_EARLY) {
      for (byte[] token : tokens) {
        commit(token);
      }
      return;
    }
    Map<Integer, Future<?>> running = new LinkedHashMap<>();
    for (var e : bySubtask.entrySet()) {
      SharedConnection conn = subtaskConnection(e.getKey());
      running.put(e.getKey(), appliers.submit(() -> {
        for (byte[] token : e.getValue()) {
          apply(conn, token(token));
        }
        return null;
      }));
    }
    Exception failure = null;
    List<Integer> again = new ArrayList<>();
    for (var e : running.entrySet()) {
      try {
        e.getValue().get();
      } catch (ExecutionException ee) {
        Throwable cause = ee.getCause();
        if (cause instanceof java.sql.SQLException sql && isConflict(sql)) {
          again.add(e.getKey());
        } else if (failure == null) {
          failure = cause instanceof Exception ex ? ex : new IllegalStateException(cause);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
    for (int subtask : again) {
      LOG.info("Sink {}: subtask {}'s apply conflicted with another subtask's; applying it again alone", spec.name(),
          subtask);
      for (byte[] token : bySubtask.get(subtask)) {
        commit(token); // the part applied before the conflict is now stale: skipped by the progress row
      }
    }
  }

  private static boolean isConflict(java.sql.SQLException e) {
    String s = SqlErrors.state(e);
    return "40P01".equals(s) || "40001".equals(s);
  }

  private synchronized SharedConnection subtaskConnection(int subtask) {
    return perSubtask.computeIfAbsent(subtask, k -> new SharedConnection(spec));
  }

  private void apply(SharedConnection conn, Token t) throws Exception {
    if (t.rows.isEmpty()) {
      return; // an empty checkpoint changes nothing; the progress row may stay behind
    }
    Result r = conn.run("apply of checkpoint " + t.checkpointId + " of " + t.key, c -> apply(c, t));
    var rec = spec.metrics().recorder();
    switch (r.kind) {
      case APPLIED -> {
        rec.applied();
        applier.report(r.outcome);
      }
      case STALE -> {
        rec.stale();
        LOG.debug("Sink {}: checkpoint {} of {} already applied (progress at {}); nothing changed", spec.name(),
            t.checkpointId, t.key, r.row.checkpointId());
      }
      case FENCED -> {
        rec.fenced();
        throw new WriterFencedException("sink '" + spec.name() + "', subtask " + t.key + ": the rows of checkpoint "
            + t.checkpointId + " were written under epoch " + t.epoch + ", but epoch " + r.row.epoch()
            + " owns the progress row (a newer writer replaced this one); nothing was applied. This process is a "
            + "zombie and must stop");
      }
      default -> throw new IllegalStateException();
    }
  }

  /** A third of the lock timeout (at least 1 s): a waiter then gets the row of a stopped writer before it gives up. */
  static long idleInTransactionMillis(java.time.Duration lockTimeout) {
    return Math.max(1_000, lockTimeout.toMillis() / 3);
  }

  private enum Kind { APPLIED, STALE, FENCED }

  private record Result(Kind kind, ProgressTable.Row row, RowApplier.Outcome outcome) {}

  private Result apply(Connection c, Token t) throws Exception {
    c.setAutoCommit(false);
    try {
      try (java.sql.Statement s = c.createStatement()) {
        // a writer stopped mid-apply (a SIGSTOPped zombie) holds the row: fail and retry later instead of hanging;
        // and so that the writer that waits gets the row at all: the server ends a session that sits idle inside
        // this transaction (its client stopped) well before a waiter's lock timeout, which rolls the zombie's apply
        // back and frees the row; a live writer sends its statements back to back and never comes near it.
        // Both in one round trip.
        s.execute("SET LOCAL lock_timeout = " + Math.max(1, spec.lockTimeout().toMillis())
            + "; SET LOCAL idle_in_transaction_session_timeout = " + idleInTransactionMillis(spec.lockTimeout()));
      }
      ProgressTable.Row row = progress.lockForApply(c, t.key);
      // already applied first: recovery commits a restored checkpoint's tokens again after newer writers began
      if (t.checkpointId <= row.checkpointId()) {
        c.rollback();
        if (t.epoch > row.appliedEpoch()) {
          // not a replay (a replayed token's epoch is at most the one that applied it): checkpoint ids went back
          throw new dev.onceflow.core.NonRecoverableException("sink '" + spec.name() + "', subtask " + t.key + ": checkpoint "
              + t.checkpointId + " (writer epoch " + t.epoch + ") is not newer than checkpoint " + row.checkpointId()
              + " already applied by epoch " + row.appliedEpoch() + ": the pipeline runs on a new or older "
              + "checkpoint directory under the same pipeline and sink name, and applying nothing would drop its "
              + "rows. Give the sink another name(...), or, if the table was reset too, delete its progress rows: "
              + "DELETE FROM " + spec.progressTable() + " WHERE pipeline = '" + t.key.pipeline() + "' AND sink = '"
              + t.key.sink() + "'");
        }
        return new Result(Kind.STALE, row, null);
      }
      if (t.epoch < row.epoch()) {
        c.rollback();
        return new Result(Kind.FENCED, row, null);
      }
      RowApplier.Outcome o = applier.apply(c, t.rows, false);
      progress.setApplied(c, t.key, t.checkpointId, t.epoch);
      c.commit();
      return new Result(Kind.APPLIED, row, o);
    } catch (Exception e) {
      ProgressTable.rollbackQuietly(c);
      throw e;
    } finally {
      try {
        c.setAutoCommit(true);
      } catch (java.sql.SQLException ignored) {
        // broken: the shared connection is dropped by the retry
      }
    }
  }

  /** Nothing lingers: unapplied tokens hold no database resources. The progress row fences what comes later. */
  @Override
  public void abortLingering(SinkContext context, List<byte[]> recordedTokens) {}

  record Token(SubtaskKey key, long checkpointId, long epoch, List<Object[]> rows) {}

  static byte[] encode(SubtaskKey key, long checkpointId, long epoch, List<Object[]> rows) throws IOException {
    return encode(key, checkpointId, epoch, rows, 1024);
  }

  /** {@code sizeHint}: the expected length (the last token's), so the buffer is not grown and copied many times. */
  static byte[] encode(SubtaskKey key, long checkpointId, long epoch, List<Object[]> rows, int sizeHint)
      throws IOException {
    RowCodec.Out out = new RowCodec.Out(Math.max(256, sizeHint));
    new TokenHeader(key, checkpointId, epoch).write(out, TOKEN_VERSION, TOKEN_KIND);
    out.writeInt(rows.size());
    int cols = rows.isEmpty() ? 0 : rows.get(0).length;
    out.writeInt(cols);
    for (Object[] row : rows) {
      for (Object v : row) {
        RowCodec.write(out, v);
      }
    }
    return out.toByteArray();
  }

  /** The subtask of a token, from its header only. */
  static int subtaskOf(byte[] token) throws IOException {
    return header(new DataInputStream(new ByteArrayInputStream(token))).key().subtask();
  }

  private static TokenHeader header(DataInputStream in) throws IOException {
    return TokenHeader.read(in, TOKEN_VERSION, TOKEN_KIND, "an exactly-once JDBC sink token");
  }

  static Token decode(byte[] token) throws IOException {
    DataInputStream in = new DataInputStream(new ByteArrayInputStream(token));
    TokenHeader h = header(in);
    int n = in.readInt();
    int cols = in.readInt();
    List<Object[]> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Object[] row = new Object[cols];
      for (int j = 0; j < cols; j++) {
        row[j] = RowCodec.read(in);
      }
      rows.add(row);
    }
    return new Token(h.key(), h.checkpointId(), h.epoch(), rows);
  }
}
