package dev.onceflow.jdbc.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.Test;

/** The throwaway server the connector's tests use: real binaries, loopback, prepared transactions on, fsync on. */
class LocalPostgresTest {

  @Test
  void startsWithPreparedTransactionsAndFsyncAndStopsCleanly() throws Exception {
    Path dir;
    try (LocalPostgres pg = LocalPostgres.startTemporary()) {
      dir = pg.dataDirectory().getParent();
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        assertTrue(Integer.parseInt(setting(s, "max_prepared_transactions")) > 0);
        assertEquals("on", setting(s, "fsync"));
        assertEquals("127.0.0.1", setting(s, "listen_addresses"));
        assertEquals(Integer.toString(pg.port()), setting(s, "port"));
      }
      pg.stop();
      assertFalse(pg.isRunning());
      assertThrows(SQLException.class, pg::connect);
    }
    assertFalse(Files.exists(dir), "the temporary directory is removed on close");
  }

  @Test
  void committedAndPreparedDataSurviveACrashRestart() throws Exception {
    try (LocalPostgres pg = LocalPostgres.startTemporary()) {
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t (v int)");
        s.execute("INSERT INTO t VALUES (1)");
        s.execute("BEGIN");
        s.execute("INSERT INTO t VALUES (2)");
        s.execute("PREPARE TRANSACTION 'test-gid'");
      }
      pg.crashAndRestart();
      try (Connection c = pg.connect(); Statement s = c.createStatement()) {
        try (ResultSet r = s.executeQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid = 'test-gid'")) {
          r.next();
          assertEquals(1, r.getInt(1));
        }
        s.execute("COMMIT PREPARED 'test-gid'");
        try (ResultSet r = s.executeQuery("SELECT sum(v) FROM t")) {
          r.next();
          assertEquals(3, r.getInt(1));
        }
      }
    }
  }

  private static String setting(Statement s, String name) throws SQLException {
    try (ResultSet r = s.executeQuery("SHOW " + name)) {
      r.next();
      return r.getString(1);
    }
  }
}
