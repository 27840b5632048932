package dev.onceflow.jdbc.internal;

import dev.onceflow.jdbc.RejectedRow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes rows into the connection's open transaction in few round trips. On PostgreSQL the generated modes send one
 * statement per chunk of up to {@link #ARRAY_CHUNK_ROWS} rows with one array parameter per column ({@code INSERT ..
 * SELECT .. FROM unnest(?::int8[], ?::text[]) ON CONFLICT ..}, see {@link ColumnArrays}); a batch whose keys are all
 * distinct is first tried as a plain INSERT ({@link OptimisticInserts}). Elsewhere, and for a chunk whose values
 * cannot be arrays, full chunks of a multi-row {@code INSERT .. VALUES} go as one JDBC batch and the rest as one
 * statement. If the database refuses the bulk write because of a row's data, the bulk write is rolled back and the
 * rows are written one by one, each under a savepoint, so that only the refused rows are left out and reported.
 */
public final class RowApplier {
  /** Rows per multi-row statement: large enough to amortise, small enough for PostgreSQL's 65535 parameters. */
  static final int MAX_CHUNK_ROWS = 128;
  /** Rows per array statement: arrays have no parameter limit; a chunk this big amortises its round trip. */
  static final int ARRAY_CHUNK_ROWS = 4096;

  private final SinkSpec spec;
  private final int chunkRows;
  private final int[] keyIdx;
  private final OptimisticInserts optimism = new OptimisticInserts();

  /** What {@link #apply} did. */
  public record Outcome(long written, long absorbed, List<RejectedRow> rejected) {}

  /** For {@code spec}. */
  public RowApplier(SinkSpec spec) {
    this.spec = spec;
    this.chunkRows = Math.max(1, Math.min(MAX_CHUNK_ROWS, 30_000 / spec.columns().size()));
    this.keyIdx = spec.keyIndexes();
  }

  /** Counts what {@code o} wrote and absorbed in the sink's metrics; its refused rows go to the dead letters. */
  public void report(Outcome o) throws Exception {
    var rec = spec.metrics().recorder();
    rec.written(o.written());
    rec.absorbed(o.absorbed());
    if (!o.rejected().isEmpty()) {
      rec.rejected(o.rejected().size());
      spec.deadLetters().accept(o.rejected());
    }
  }

  /**
   * Applies {@code rows} (in order) on {@code c}, whose autocommit is off.
   *
   * @param ownTransaction true if the transaction holds nothing but these rows (it may be rolled back whole); false
   *     to protect the work already in it with a savepoint
   */
  public Outcome apply(Connection c, List<Object[]> rows, boolean ownTransaction) throws SQLException {
    if (rows.isEmpty()) {
      return new Outcome(0, 0, List.of());
    }
    for (Object[] row : rows) {
      checkWidth(row);
    }
    List<Object[]> prepared = spec.mode() == WriteMode.UPSERT ? lastPerKey(rows) : rows;
    Savepoint sp = ownTransaction ? null : c.setSavepoint();
    try {
      long affected = bulk(c, prepared, sp);
      if (sp != null) {
        c.releaseSavepoint(sp);
      }
      return outcome(rows.size(), prepared.size(), affected, List.of());
    } catch (SQLException e) {
      if (!SqlErrors.isRowRejection(e)) {
        throw e;
      }
      if (sp != null) {
        c.rollback(sp);
      } else {
        c.rollback();
      }
      return oneByOne(c, rows.size(), prepared);
    }
  }

  private Outcome oneByOne(Connection c, int sent, List<Object[]> rows) throws SQLException {
    List<RejectedRow> rejected = new ArrayList<>();
    long affected = 0;
    try (PreparedStatement ps = c.prepareStatement(Sql.statement(spec, 1))) {
      for (Object[] row : rows) {
        Savepoint sp = c.setSavepoint();
        try {
          bind(ps, row, 0);
          int n = ps.executeUpdate();
          affected += Math.max(0, n);
          c.releaseSavepoint(sp);
        } catch (SQLException e) {
          if (!SqlErrors.isRowRejection(e)) {
            throw e;
          }
          c.rollback(sp);
          rejected.add(new RejectedRow(spec.name(), spec.tableLabel(), texts(row), SqlErrors.state(e),
              SqlErrors.message(e)));
        }
      }
    }
    return outcome(sent - rejected.size(), rows.size() - rejected.size(), affected, rejected);
  }

  private Outcome outcome(long sent, long distinct, long affected, List<RejectedRow> rejected) {
    long absorbed = 0;
    boolean doNothing = spec.mode() == WriteMode.INSERT_UNIQUE
        || (spec.mode() == WriteMode.UPSERT && spec.key().size() == spec.columns().size());
    if (doNothing && affected >= 0) {
      absorbed = Math.max(0, distinct - affected) + (sent - distinct);
    }
    return new Outcome(sent, absorbed, rejected);
  }

  private long bulk(Connection c, List<Object[]> rows, Savepoint sp) throws SQLException {
    if (spec.mode() == WriteMode.CUSTOM) {
      try (PreparedStatement ps = c.prepareStatement(spec.customSql())) {
        for (Object[] row : rows) {
          bind(ps, row, 0);
          ps.addBatch();
        }
        return sum(ps.executeBatch());
      }
    }
    // ON CONFLICT DO UPDATE may not touch a row twice in one statement: a repeated key goes to its own statement
    boolean splitRepeats = spec.mode() == WriteMode.ACCUMULATE;
    boolean arrays = c.isWrapperFor(org.postgresql.PGConnection.class);
    int chunk = arrays ? ARRAY_CHUNK_ROWS : chunkRows;
    List<Object[]> chunked = new ArrayList<>(rows.size());
    List<Object[]> singles = new ArrayList<>();
    if (splitRepeats) {
      Set<Object> inChunk = new HashSet<>();
      for (Object[] row : rows) {
        if (chunked.size() % chunk == 0) {
          inChunk.clear();
        }
        if (inChunk.add(keyOf(row))) {
          chunked.add(row);
        } else {
          singles.add(row);
        }
      }
    } else {
      chunked = rows;
    }
    long affected = 0;
    if (!arrays) {
      affected += values(c, chunked);
    } else {
      if (spec.mode() != WriteMode.INSERT && singles.isEmpty() && optimism.attempt()) {
        try {
          affected = arrays(c, chunked, false);
          optimism.succeeded();
          return affected;
        } catch (SQLException e) {
          if (!"23505".equals(SqlErrors.state(e))) {
            throw e;
          }
          // a key exists already: undo the attempt, write the batch with the ON CONFLICT statement
          if (sp != null) {
            c.rollback(sp);
          } else {
            c.rollback();
          }
          optimism.conflicted();
        }
      }
      affected = arrays(c, chunked, true);
    }
    if (!singles.isEmpty()) {
      try (PreparedStatement ps = c.prepareStatement(Sql.statement(spec, 1))) {
        for (Object[] row : singles) {
          bind(ps, row, 0);
          ps.addBatch();
        }
        affected += sum(ps.executeBatch());
      }
    }
    return affected;
  }

  /** {@code rows} as array statements of up to {@link #ARRAY_CHUNK_ROWS} rows (VALUES for a chunk that cannot). */
  private long arrays(Connection c, List<Object[]> rows, boolean withConflictClause) throws SQLException {
    long affected = 0;
    int width = spec.columns().size();
    for (int from = 0; from < rows.size(); from += ARRAY_CHUNK_ROWS) {
      int to = Math.min(rows.size(), from + ARRAY_CHUNK_ROWS);
      ColumnArrays ca = ColumnArrays.of(rows, from, to, width);
      if (ca == null) {
        affected += withConflictClause ? values(c, rows.subList(from, to)) : valuesPlain(c, rows.subList(from, to));
        continue;
      }
      // the driver caches the server-side statement by its text, so preparing per chunk parses once
      try (PreparedStatement ps = c.prepareStatement(Sql.unnestStatement(spec, ca.elementTypes, withConflictClause))) {
        ca.bind(c, ps);
        affected += Math.max(0, ps.executeUpdate());
      }
    }
    return affected;
  }

  /** The optimistic attempt of a chunk that cannot be arrays: the plain multi-row INSERT. */
  private long valuesPlain(Connection c, List<Object[]> rows) throws SQLException {
    return values(c, rows, Sql.statementWithoutConflictClause(spec, chunkRows),
        n -> Sql.statementWithoutConflictClause(spec, n));
  }

  private long values(Connection c, List<Object[]> rows) throws SQLException {
    return values(c, rows, Sql.statement(spec, chunkRows), n -> Sql.statement(spec, n));
  }

  /** Full chunks of a multi-row VALUES statement as one JDBC batch, the rest as one statement. */
  private long values(Connection c, List<Object[]> chunked, String fullSql,
      java.util.function.IntFunction<String> sqlFor) throws SQLException {
    long affected = 0;
    int full = chunked.size() / chunkRows;
    if (full > 0) {
      try (PreparedStatement ps = c.prepareStatement(fullSql)) {
        for (int ch = 0; ch < full; ch++) {
          int p = 0;
          for (int r = ch * chunkRows; r < (ch + 1) * chunkRows; r++) {
            p = bind(ps, chunked.get(r), p);
          }
          ps.addBatch();
        }
        affected += sum(ps.executeBatch());
      }
    }
    int rest = chunked.size() - full * chunkRows;
    if (rest > 0) {
      try (PreparedStatement ps = c.prepareStatement(sqlFor.apply(rest))) {
        int p = 0;
        for (int r = full * chunkRows; r < chunked.size(); r++) {
          p = bind(ps, chunked.get(r), p);
        }
        affected += Math.max(0, ps.executeUpdate());
      }
    }
    return affected;
  }

  private static long sum(int[] counts) {
    long s = 0;
    for (int n : counts) {
      if (n == Statement.SUCCESS_NO_INFO) {
        return -1; // a driver that rewrote the batch does not say: absorbed duplicates cannot be counted
      }
      s += Math.max(0, n);
    }
    return s;
  }

  private void checkWidth(Object[] row) {
    if (row.length != spec.columns().size()) {
      throw new IllegalArgumentException("sink '" + spec.name() + "': the row mapper gave " + row.length
          + " values for " + spec.columns().size() + " columns " + spec.columns());
    }
  }

  private int bind(PreparedStatement ps, Object[] row, int offset) throws SQLException {
    checkWidth(row);
    for (int i = 0; i < row.length; i++) {
      Object v = row[i];
      int p = offset + i + 1;
      if (v == null) {
        ps.setNull(p, Types.NULL);
      } else if (v instanceof Instant in) {
        ps.setObject(p, OffsetDateTime.ofInstant(in, ZoneOffset.UTC));
      } else {
        ps.setObject(p, v);
      }
    }
    return offset + row.length;
  }

  /** The last row of each key, in the order of those last rows (rows itself if every key is distinct). */
  private List<Object[]> lastPerKey(List<Object[]> rows) {
    Map<Object, Integer> last = new HashMap<>(rows.size() * 4 / 3 + 1);
    for (int i = 0; i < rows.size(); i++) {
      last.put(keyOf(rows.get(i)), i);
    }
    if (last.size() == rows.size()) {
      return rows;
    }
    List<Object[]> out = new ArrayList<>(last.size());
    for (int i = 0; i < rows.size(); i++) {
      if (last.get(keyOf(rows.get(i))) == i) {
        out.add(rows.get(i));
      }
    }
    return out;
  }

  /** A key compared by value: a single non-array key column is its own value (no wrapper, no deep hash). */
  private Object keyOf(Object[] row) {
    if (keyIdx.length == 1) {
      Object v = row[keyIdx[0]];
      if (v != null && !v.getClass().isArray()) {
        return v;
      }
    }
    return new KeyOf(row, keyIdx);
  }

  static List<String> texts(Object[] row) {
    List<String> out = new ArrayList<>(row.length);
    for (Object v : row) {
      out.add(v == null ? null : v instanceof byte[] b ? "\\x" + HexFormat.of().formatHex(b) : v.toString());
    }
    return out;
  }

  /** A row's key values, compared by value (byte[] by content). */
  static final class KeyOf {
    private final Object[] values;
    private final int hash;

    KeyOf(Object[] row, int[] idx) {
      values = new Object[idx.length];
      for (int i = 0; i < idx.length; i++) {
        values[i] = row[idx[i]];
      }
      hash = Arrays.deepHashCode(values);
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof KeyOf k && Arrays.deepEquals(values, k.values);
    }

    @Override
    public int hashCode() {
      return hash;
    }
  }
}
