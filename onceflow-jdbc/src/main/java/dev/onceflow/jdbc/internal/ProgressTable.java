package dev.onceflow.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The progress table of the exactly-once and two-phase sinks: one row per sink subtask {@code (pipeline, sink,
 * subtask) -> (checkpoint_id, epoch)}. The epoch is bumped by every new writer (a zombie's older epoch is refused);
 * the checkpoint id is the last checkpoint whose rows the exactly-once sink applied. Beside it, {@code <table>_2pc}
 * holds one marker row per committed two-phase transaction, written inside that transaction, so that a gid missing
 * from pg_prepared_xacts can be told apart: committed (marker present) or lost (absent).
 */
public final class ProgressTable {
  private final String table;
  private final String markers;

  /** The progress row as read under lock. */
  public record Row(long checkpointId, long epoch, long appliedEpoch) {}

  /** For the table named {@code name} (quoted as given). */
  public ProgressTable(String name) {
    this.table = Sql.quote(name);
    this.markers = Sql.quote(name + "_2pc");
  }

  /** Creates both tables if missing; commits. Safe against a concurrent creator. */
  public void create(Connection c) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      for (int attempt = 0; ; attempt++) {
        try {
          s.execute("CREATE TABLE IF NOT EXISTS " + table + " (pipeline text NOT NULL, sink text NOT NULL, "
              + "subtask int NOT NULL, checkpoint_id bigint NOT NULL, epoch bigint NOT NULL, "
              + "applied_epoch bigint NOT NULL DEFAULT 0, updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (pipeline, sink, subtask))");
          s.execute("CREATE TABLE IF NOT EXISTS " + markers + " (pipeline text NOT NULL, sink text NOT NULL, "
              + "subtask int NOT NULL, checkpoint_id bigint NOT NULL, epoch bigint NOT NULL, committed_at timestamptz NOT "
              + "NULL DEFAULT now(), PRIMARY KEY (pipeline, sink, subtask, checkpoint_id, epoch))");
          return;
        } catch (SQLException e) {
          // two subtasks creating at once: IF NOT EXISTS still races on the catalog's unique index
          if (attempt < 3 && ("23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState()))) {
            continue;
          }
          throw e;
        }
      }
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /**
   * Starts a new writer epoch for {@code key} and commits: the row is created at checkpoint -1 / epoch 1, or its
   * epoch incremented. Waits at most {@code lockTimeoutMs} for the row (a prepared transaction of a zombie holds it).
   */
  public long bumpEpoch(Connection c, SubtaskKey key, long lockTimeoutMs) throws SQLException {
    boolean auto = c.getAutoCommit();
    c.setAutoCommit(false);
    try {
      try (Statement s = c.createStatement()) {
        s.execute("SET LOCAL lock_timeout = " + Math.max(1, lockTimeoutMs));
      }
      long epoch;
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " AS p (pipeline, sink, subtask, "
          + "checkpoint_id, epoch) VALUES (?, ?, ?, -1, 1) ON CONFLICT (pipeline, sink, subtask) DO UPDATE SET "
          + "epoch = p.epoch + 1, updated_at = now() RETURNING epoch")) {
        bindKey(ps, key, 1);
        try (ResultSet r = ps.executeQuery()) {
          r.next();
          epoch = r.getLong(1);
        }
      }
      c.commit();
      return epoch;
    } catch (SQLException e) {
      rollbackQuietly(c);
      throw e;
    } finally {
      c.setAutoCommit(auto);
    }
  }

  /** Reads and locks {@code key}'s row (FOR UPDATE) in the open transaction; creates it if missing. */
  public Row lockForApply(Connection c, SubtaskKey key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT checkpoint_id, epoch, applied_epoch FROM " + table
        + " WHERE pipeline = ? AND sink = ? AND subtask = ? FOR UPDATE")) {
      bindKey(ps, key, 1);
      try (ResultSet r = ps.executeQuery()) {
        if (r.next()) {
          return new Row(r.getLong(1), r.getLong(2), r.getLong(3));
        }
      }
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table
        + " (pipeline, sink, subtask, checkpoint_id, epoch) VALUES (?, ?, ?, -1, 0) ON CONFLICT DO NOTHING")) {
      bindKey(ps, key, 1);
      ps.executeUpdate();
    }
    return lockForApply(c, key);
  }

  /** Sets the applied checkpoint of {@code key} in the open transaction (epoch raised to at least {@code epoch}). */
  public void setApplied(Connection c, SubtaskKey key, long checkpointId, long epoch) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table + " SET checkpoint_id = ?, "
        + "epoch = greatest(epoch, ?), applied_epoch = ?, updated_at = now() WHERE pipeline = ? AND sink = ? AND subtask = ?")) {
      ps.setLong(1, checkpointId);
      ps.setLong(2, epoch);
      ps.setLong(3, epoch);
      bindKey(ps, key, 4);
      ps.executeUpdate();
    }
  }

  /**
   * The current epoch of {@code key}, read with a shared lock held until the open transaction ends (also when it is
   * prepared): a newer writer's epoch bump then waits for this transaction to be resolved. -1 if there is no row.
   */
  public long epochForShare(Connection c, SubtaskKey key) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT epoch FROM " + table
        + " WHERE pipeline = ? AND sink = ? AND subtask = ? FOR SHARE")) {
      bindKey(ps, key, 1);
      try (ResultSet r = ps.executeQuery()) {
        return r.next() ? r.getLong(1) : -1;
      }
    }
  }

  /** Writes the commit marker of {@code checkpointId} in the open transaction and drops markers long superseded. */
  public void writeMarker(Connection c, SubtaskKey key, long checkpointId, long epoch) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + markers
        + " (pipeline, sink, subtask, checkpoint_id, epoch) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
      bindKey(ps, key, 1);
      ps.setLong(4, checkpointId);
      ps.setLong(5, epoch);
      ps.executeUpdate();
    }
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + markers
        + " WHERE pipeline = ? AND sink = ? AND subtask = ? AND checkpoint_id < ?")) {
      bindKey(ps, key, 1);
      ps.setLong(4, checkpointId - 10_000); // far older than any checkpoint a restore could still name
      ps.executeUpdate();
    }
  }

  /** True if the marker of {@code checkpointId} was committed. */
  public boolean markerExists(Connection c, SubtaskKey key, long checkpointId, long epoch) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + markers
        + " WHERE pipeline = ? AND sink = ? AND subtask = ? AND checkpoint_id = ? AND epoch = ?")) {
      bindKey(ps, key, 1);
      ps.setLong(4, checkpointId);
      ps.setLong(5, epoch);
      try (ResultSet r = ps.executeQuery()) {
        return r.next();
      }
    }
  }

  private static void bindKey(PreparedStatement ps, SubtaskKey key, int first) throws SQLException {
    ps.setString(first, key.pipeline());
    ps.setString(first + 1, key.sink());
    ps.setInt(first + 2, key.subtask());
  }

  static void rollbackQuietly(Connection c) {
    try {
      c.rollback();
    } catch (SQLException ignored) {
      // the connection is broken; the server rolls the transaction back when the session ends
    }
  }
}
