package dev.onceflow.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.jdbc.server.LocalPostgres;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The array statements ({@code INSERT .. SELECT .. FROM unnest(?::type[], ..)}) and the plain INSERT tried first: the
 * table ends as the row-by-row statements would leave it, for every value type the sinks keep in checkpoints, NULLs
 * included, for existing keys (the attempt falls back to ON CONFLICT), inside an exactly-once apply, and with rows the
 * database refuses.
 */
class ArrayStatementTest {
  static LocalPostgres pg;
  static JdbcConnection conn;
  private static final SinkContext CTX = new SinkContext("job", "s", 0, 1);
  private static final String COLUMNS = "id bigint PRIMARY KEY, i int, s smallint, d double precision, f real, "
      + "b boolean, t text, bin bytea, num numeric, u uuid, ts timestamptz, odt timestamptz, ldt timestamp, ld date, "
      + "never int";
  private static final String[] NAMES = {"id", "i", "s", "d", "f", "b", "t", "bin", "num", "u", "ts", "odt", "ldt",
      "ld", "never"};

  @BeforeAll
  static void start() throws Exception {
    pg = LocalPostgres.startTemporary();
    conn = JdbcConnection.url(pg.jdbcUrl());
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  /** Row {@code n} with every supported type; every 7th value NULL, column "never" NULL in every row. */
  private static Object[] row(long n, int version) {
    Object[] r = {n, (int) n * version, (short) (n % 300), n / 3.0 + version, (float) n / 7, n % 2 == 0,
        "text " + n + " '\"{},\\ " + version, new byte[] {(byte) n, 0, (byte) 255, (byte) version},
        new BigDecimal("12345678901234567890.123").add(BigDecimal.valueOf(n)), new UUID(n, version),
        Instant.ofEpochSecond(1_700_000_000L + n, 123_456_000), OffsetDateTime.of(2026, 12, 1, 10, 0, 0, 0,
            ZoneOffset.ofHours(2)).plusMinutes(n), LocalDateTime.of(2026, 1, 1, 0, 0).plusSeconds(n * 61),
        LocalDate.of(2026, 1, 1).plusDays(n), null};
    for (int c = 1; c < r.length - 1; c++) {
      if ((n + c) % 7 == 0) {
        r[c] = null;
      }
    }
    return r;
  }

  /** The reference: one row per statement, each value bound by itself (what the sinks did before arrays). */
  private static void referenceInsert(String table, List<Object[]> rows) throws Exception {
    StringBuilder q = new StringBuilder("INSERT INTO " + table + " VALUES (");
    for (int i = 0; i < NAMES.length; i++) {
      q.append(i == 0 ? "?" : ", ?");
    }
    try (Connection c = pg.connect(); PreparedStatement ps = c.prepareStatement(q.append(')').toString())) {
      c.setAutoCommit(false);
      for (Object[] r : rows) {
        for (int i = 0; i < r.length; i++) {
          Object v = r[i] instanceof Instant in ? OffsetDateTime.ofInstant(in, ZoneOffset.UTC) : r[i];
          if (v == null) {
            ps.setNull(i + 1, Types.NULL);
          } else {
            ps.setObject(i + 1, v);
          }
        }
        ps.executeUpdate();
      }
      c.commit();
    }
  }

  private static void assertSameTables(String a, String b, long rows) throws Exception {
    assertEquals(rows, Pg.scalar(pg, "SELECT count(*) FROM " + a));
    assertEquals(rows, Pg.scalar(pg, "SELECT count(*) FROM " + b));
    for (String[] pair : new String[][] {{a, b}, {b, a}}) {
      String except = "SELECT * FROM " + pair[0] + " EXCEPT SELECT * FROM " + pair[1];
      assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM (" + except + ") x"),
          () -> "rows of " + pair[0] + " not in " + pair[1] + ", e.g. " + rowsOrError(except + " LIMIT 2"));
    }
  }

  private static String rowsOrError(String sql) {
    try {
      return Pg.rows(pg, sql).toString();
    } catch (java.sql.SQLException e) {
      return e.toString();
    }
  }

  private static JdbcSinkBuilder<Object[]> into(String table) {
    return JdbcSink.<Object[]>into(conn, table).name(table).columns(NAMES).key("id").mapper(r -> r);
  }

  @Test
  void everyValueTypeAndNullsEndAsWithRowByRowStatements() throws Exception {
    Pg.exec(pg, "CREATE TABLE types_ref (" + COLUMNS + ")", "CREATE TABLE types_sink (" + COLUMNS + ")");
    List<Object[]> first = new ArrayList<>();
    List<Object[]> second = new ArrayList<>();
    for (long n = 0; n < 5000; n++) { // more than one array chunk
      first.add(row(n, 1));
      second.add(row(n, 2));
    }
    referenceInsert("types_ref", first);
    WriteThroughSink<Object[]> sink = into("types_sink").batchRows(100_000).upsert();
    try (SinkWriter<Object[]> w = sink.createWriter(CTX)) {
      for (Object[] r : first) {
        w.write(r);
      }
      w.flush(); // new keys: the plain INSERT
    }
    assertSameTables("types_ref", "types_sink", 5000);
    // every key exists: the plain INSERT conflicts and the batch is written by the ON CONFLICT statement
    Pg.exec(pg, "TRUNCATE types_ref");
    referenceInsert("types_ref", second);
    try (SinkWriter<Object[]> w = sink.createWriter(CTX)) {
      for (Object[] r : second) {
        w.write(r);
      }
      w.flush();
    }
    assertSameTables("types_ref", "types_sink", 5000);
    assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM types_sink WHERE never IS NOT NULL"));
  }

  /** Integer and Long in one column (each bound as itself before) and an all-NULL chunk: still written exactly. */
  @Test
  void mixedJavaTypesInAColumnAndAllNullColumnsAreWritten() throws Exception {
    Pg.exec(pg, "CREATE TABLE mixed (id bigint PRIMARY KEY, v bigint, w text)");
    WriteThroughSink<long[]> sink = JdbcSink.<long[]>into(conn, "mixed").columns("id", "v", "w").key("id")
        .mapper(r -> new Object[] {r[0], r[0] % 2 == 0 ? (Object) r[1] : (Object) (int) r[1], null}).upsert();
    try (SinkWriter<long[]> w = sink.createWriter(CTX)) {
      for (long i = 0; i < 300; i++) {
        w.write(new long[] {i, i * 10});
      }
      w.flush();
    }
    assertEquals(300, Pg.scalar(pg, "SELECT count(*) FROM mixed WHERE w IS NULL"));
    assertEquals(10L * 299 * 300 / 2, Pg.scalar(pg, "SELECT sum(v) FROM mixed"));
  }

  /**
   * Upserts of existing keys, with other rows between them, across the exactly-once sink's checkpoints: the plain
   * INSERT attempt fails inside the apply's transaction, is rolled back to its savepoint (the progress row stays
   * locked and is updated), and the rows are written with ON CONFLICT; each checkpoint applies once, whether its
   * token is the array preCommit returned or a copy read back.
   */
  @Test
  void exactlyOnceApplyOfExistingKeysReplacesValues() throws Exception {
    Pg.exec(pg, "CREATE TABLE eo_up (id bigint PRIMARY KEY, v bigint NOT NULL)");
    JdbcSinkBuilder<long[]> b = JdbcSink.<long[]>into(conn, "eo_up").name("eo_up").columns("id", "v").key("id")
        .mapper(r -> new Object[] {r[0], r[1]});
    TwoPhaseCommitSink<long[]> sink = b.exactlyOnce();
    try (TwoPhaseCommitWriter<long[]> w = sink.createWriter(new SinkContext("job", "eo_up", 0, 1))) {
      for (long ckpt = 1; ckpt <= 4; ckpt++) {
        w.beginTransaction();
        for (long i = 0; i < 2000; i++) {
          w.write(new long[] {i * ckpt % 3000, ckpt}); // overlapping keys: some new, most existing
        }
        byte[] token = w.preCommit(ckpt);
        // the same bytes read back (recovery: decoded) or the array preCommit returned (rows kept in memory)
        byte[] first = ckpt % 2 == 0 ? token.clone() : token;
        byte[] again = ckpt % 2 == 0 ? token : token.clone();
        sink.commit(first);
        sink.commit(again); // stale: nothing changes
      }
    }
    long[] expected = new long[3000];
    for (long ckpt = 1; ckpt <= 4; ckpt++) {
      for (long i = 0; i < 2000; i++) {
        expected[(int) (i * ckpt % 3000)] = ckpt;
      }
    }
    long rows = 0;
    long sum = 0;
    for (long v : expected) {
      rows += v > 0 ? 1 : 0;
      sum += v;
    }
    assertEquals(rows, Pg.scalar(pg, "SELECT count(*) FROM eo_up"));
    assertEquals(sum, Pg.scalar(pg, "SELECT sum(v) FROM eo_up"));
    assertEquals(4, b.metrics().checkpointsApplied());
    assertEquals(4, b.metrics().staleApplies());
  }

  /** A String for an integer column was refused row by row with 42804; through arrays it still is, and nothing else. */
  @Test
  void aValueOfTheWrongTypeIsStillRefusedAndTheOtherRowsWritten() throws Exception {
    Pg.exec(pg, "CREATE TABLE wrong (id bigint PRIMARY KEY, n int)");
    List<RejectedRow> dead = new ArrayList<>();
    WriteThroughSink<Long> sink = JdbcSink.<Long>into(conn, "wrong").columns("id", "n").key("id")
        .mapper(i -> new Object[] {i, "7"}).deadLetters(DeadLetterSink.collectingInto(dead)).upsert();
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      for (long i = 0; i < 10; i++) {
        w.write(i);
      }
      w.flush();
    }
    assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM wrong"));
    assertEquals(10, dead.size());
    assertTrue(dead.stream().allMatch(d -> d.sqlState().equals("42804")), dead.toString());
  }
}
