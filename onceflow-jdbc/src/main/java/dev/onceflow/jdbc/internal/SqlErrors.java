package dev.onceflow.jdbc.internal;

import java.sql.BatchUpdateException;
import java.sql.SQLException;

/** Sorts database errors into: a refused row, a lost connection (retry), or anything else (fail). */
public final class SqlErrors {
  private SqlErrors() {}

  /** The SQLSTATE of {@code e} or of the first chained exception that has one. */
  public static String state(SQLException e) {
    for (SQLException x = e; x != null; x = x.getNextException()) {
      if (x.getSQLState() != null && !(x instanceof BatchUpdateException && x.getNextException() != null)) {
        return x.getSQLState();
      }
    }
    return e.getSQLState();
  }

  /** The most specific message of {@code e} (a batch error's cause holds the server's text). */
  public static String message(SQLException e) {
    SQLException next = e.getNextException();
    return next != null ? next.getMessage() : e.getMessage();
  }

  /**
   * True if the row's data is at fault (class 22 data exception, class 23 integrity constraint violation, 42804
   * datatype mismatch): the same row fails again, so it goes to the dead letters instead of being retried.
   */
  public static boolean isRowRejection(SQLException e) {
    String s = state(e);
    return s != null && (s.startsWith("22") || s.startsWith("23") || s.equals("42804"));
  }

  /**
   * True if a restart cannot help: bad credentials or no such database (class 28, 3D000), a missing table or column
   * (42P01, 42703), missing privileges (42501).
   */
  public static boolean isFatal(SQLException e) {
    String s = state(e);
    return s != null && (s.startsWith("28") || s.equals("3D000") || s.equals("42P01") || s.equals("42703")
        || s.equals("42501"));
  }

  /** {@code e} as a NonRecoverableException naming the sink and the fix if it is fatal, else {@code e} itself. */
  public static Exception fatalOr(SinkSpec spec, String what, SQLException e) {
    if (!isFatal(e)) {
      return e;
    }
    return new dev.onceflow.core.NonRecoverableException("sink '" + spec.name() + "': " + what + " into "
        + spec.tableLabel() + " on " + spec.connection() + " failed with SQLSTATE " + state(e) + " (" + message(e)
        + "): a restart cannot repair that; fix the credentials, database, table, columns or privileges, then "
        + "start the job again (it resumes from its latest checkpoint)", e);
  }

  /**
   * True if the connection was lost or the server is shutting down or starting (class 08, 57P01-57P03, 53300 too
   * many connections): the write may be retried on a new connection.
   */
  public static boolean isConnectionLoss(SQLException e) {
    String s = state(e);
    if (s == null) {
      return false;
    }
    return s.startsWith("08") || s.equals("57P01") || s.equals("57P02") || s.equals("57P03") || s.equals("53300");
  }
}
