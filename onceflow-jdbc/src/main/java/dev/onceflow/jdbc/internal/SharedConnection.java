package dev.onceflow.jdbc.internal;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection a sink uses for commits and recovery (the checkpoint coordinator's thread, and writers' epoch
 * bumps), apart from the writers' own. Lent under a lock; kept open while a writer of the sink is open, closed when
 * the last one closes (so a finished job leaves no connection behind); reopened after a lost connection.
 */
public final class SharedConnection {
  private final SinkSpec spec;
  private Connection connection;
  private int writers;

  /** What to run on the connection. */
  @FunctionalInterface
  public interface Work<R> {
    /** Runs on {@code c} (autocommit on when lent; restore it if changed). */
    R run(Connection c) throws Exception;
  }

  /** For {@code spec}'s connection. */
  public SharedConnection(SinkSpec spec) {
    this.spec = spec;
  }

  /** Runs {@code work}, retrying on a lost connection per the spec. */
  public synchronized <R> R run(String what, Work<R> work) throws Exception {
    try {
      return Retry.onConnectionLoss(spec, what, () -> {
        if (connection == null) {
          connection = spec.connection().open();
          connection.setAutoCommit(true);
        }
        return work.run(connection);
      }, this::drop);
    } finally {
      if (writers == 0) {
        drop();
      }
    }
  }

  /** A writer opened: keep the connection between calls. */
  public synchronized void writerOpened() {
    writers++;
  }

  /** A writer closed: the last one closes the connection. */
  public synchronized void writerClosed() {
    writers = Math.max(0, writers - 1);
    if (writers == 0) {
      drop();
    }
  }

  private synchronized void drop() {
    if (connection != null) {
      try {
        connection.close();
      } catch (SQLException ignored) {
        // broken already
      }
      connection = null;
    }
  }
}
