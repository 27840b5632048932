package dev.onceflow.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.InvalidPipelineException;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import dev.onceflow.core.source.GeneratorSource;
import dev.onceflow.jdbc.server.LocalPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Upsert, insert-unique and plain sinks against a real PostgreSQL. */
class WriteThroughSinkTest {
  static LocalPostgres pg;
  static JdbcConnection conn;

  @BeforeAll
  static void start() throws Exception {
    pg = LocalPostgres.startTemporary();
    conn = JdbcConnection.url(pg.jdbcUrl());
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  record Tag(String day, String tag, long count) {}

  private static final SinkContext CTX = new SinkContext("job", "s", 0, 1);

  @Test
  void upsertReplayedTwiceEndsWithTheSameFinalValues() throws Exception {
    Pg.exec(pg, "CREATE TABLE daily (day text, tag text, n bigint, PRIMARY KEY (day, tag))");
    WriteThroughSink<Tag> sink = JdbcSink.<Tag>into(conn, "daily").columns("day", "tag", "n").key("day", "tag")
        .mapper(t -> new Object[] {t.day(), t.tag(), t.count()}).upsert();
    assertTrue(sink.idempotent());
    for (int replay = 0; replay < 2; replay++) {
      try (SinkWriter<Tag> w = sink.createWriter(CTX)) {
        for (long i = 1; i <= 3000; i++) {
          // the same key updated many times in one batch: last value wins, no "affect row a second time" error
          w.write(new Tag("d" + (i % 3), "t" + (i % 10), i));
        }
        w.flush();
      }
    }
    assertEquals(30, Pg.scalar(pg, "SELECT count(*) FROM daily"));
    // exact: for each (day, tag) the last i with i%3 = day and i%10 = tag, i.e. the largest such i <= 3000
    long expected = 0;
    for (int d = 0; d < 3; d++) {
      for (int t = 0; t < 10; t++) {
        for (long i = 3000; i >= 1; i--) {
          if (i % 3 == d && i % 10 == t) {
            expected += i;
            break;
          }
        }
      }
    }
    assertEquals(expected, Pg.scalar(pg, "SELECT sum(n) FROM daily"));
  }

  /**
   * Between barriers a write-through writer holds rows after an input batch (endOfBatch) until batchRows are buffered
   * or the oldest waited maxHold (an injected clock), and flush (barrier, idle, end of input) writes everything; the
   * upsert also asks for aligned snapshots under AT_LEAST_ONCE.
   */
  @Test
  void rowsAreHeldBetweenBarriersUntilBatchRowsOrMaxHold() throws Exception {
    Pg.exec(pg, "CREATE TABLE held (id bigint PRIMARY KEY)");
    java.util.concurrent.atomic.AtomicLong now = new java.util.concurrent.atomic.AtomicLong();
    WriteThroughSink<Long> sink = JdbcSink.<Long>into(conn, "held").columns("id").key("id")
        .mapper(i -> new Object[] {i}).batchRows(100).maxHold(Duration.ofMillis(200)).nanoClock(now::get).upsert();
    assertTrue(sink.needsAlignedSnapshots());
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      for (long i = 0; i < 10; i++) {
        w.write(i);
      }
      w.endOfBatch();
      assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM held"), "held after an input batch");
      now.addAndGet(Duration.ofMillis(199).toNanos());
      w.endOfBatch();
      assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM held"), "not yet maxHold");
      now.addAndGet(Duration.ofMillis(1).toNanos());
      w.endOfBatch();
      assertEquals(10, Pg.scalar(pg, "SELECT count(*) FROM held"), "written once the oldest waited maxHold");
      for (long i = 10; i < 110; i++) {
        w.write(i);
      }
      assertEquals(110, Pg.scalar(pg, "SELECT count(*) FROM held"), "written at batchRows without a flush");
      w.write(110L);
      w.endOfBatch();
      assertEquals(110, Pg.scalar(pg, "SELECT count(*) FROM held"));
      w.flush();
      assertEquals(111, Pg.scalar(pg, "SELECT count(*) FROM held"), "a flush writes everything");
    }
  }

  @Test
  void upsertWhoseEveryColumnIsInTheKeyDoesNothingOnConflict() throws Exception {
    Pg.exec(pg, "CREATE TABLE pairs (a int, b int, PRIMARY KEY (a, b))");
    WriteThroughSink<int[]> sink = JdbcSink.<int[]>into(conn, "pairs").columns("a", "b").key("a", "b")
        .mapper(p -> new Object[] {p[0], p[1]}).upsert();
    try (SinkWriter<int[]> w = sink.createWriter(CTX)) {
      for (int r = 0; r < 2; r++) {
        for (int i = 0; i < 500; i++) {
          w.write(new int[] {i % 50, i % 7});
        }
        w.flush();
      }
    }
    assertEquals(350, Pg.scalar(pg, "SELECT count(*) FROM pairs"));
  }

  @Test
  void insertUniqueAbsorbsAndCountsDuplicatesInOneTransactionPerFlush() throws Exception {
    Pg.exec(pg, "CREATE TABLE payments (idem_key text PRIMARY KEY, account text NOT NULL, amount bigint NOT NULL)");
    JdbcSinkBuilder<Long> b = JdbcSink.<Long>into(conn, "payments").columns("idem_key", "account", "amount")
        .key("idem_key").mapper(i -> new Object[] {"pay-" + i, "acct-" + (i % 7), i});
    WriteThroughSink<Long> sink = b.insertUnique();
    long commitsBefore = Pg.scalar(pg, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'");
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      for (long i = 0; i < 1000; i++) {
        w.write(i);
      }
      w.flush();
      for (long i = 500; i < 1500; i++) { // 500 replayed
        w.write(i);
      }
      w.write(1499L); // and one duplicate inside the batch
      w.flush();
    }
    long commits = Pg.scalar(pg, "SELECT xact_commit FROM pg_stat_database WHERE datname = 'postgres'")
        - commitsBefore;
    assertEquals(1500, Pg.scalar(pg, "SELECT count(*) FROM payments"));
    assertEquals(501, b.metrics().duplicatesAbsorbed());
    // two flushes of 1000+ rows: a handful of transactions (ours and this test's queries), not one per row
    assertTrue(commits < 20, "transactions: " + commits);
  }

  @Test
  void aRefusedRowGoesToTheDeadLettersWithItsSqlStateAndTheOthersAreWritten() throws Exception {
    Pg.exec(pg, "CREATE TABLE checked (id bigint PRIMARY KEY, amount bigint NOT NULL CHECK (amount >= 0))");
    List<RejectedRow> dead = new ArrayList<>();
    JdbcSinkBuilder<Long> b = JdbcSink.<Long>into(conn, "checked").columns("id", "amount").key("id")
        .mapper(i -> new Object[] {i, i % 100 == 0 ? -1L : i}).deadLetters(DeadLetterSink.collectingInto(dead));
    WriteThroughSink<Long> sink = b.insertUnique();
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      for (long i = 1; i <= 1000; i++) {
        w.write(i);
      }
      w.flush();
    }
    assertEquals(990, Pg.scalar(pg, "SELECT count(*) FROM checked"));
    assertEquals(10, dead.size());
    assertEquals(10, b.metrics().rowsRejected());
    assertEquals("23514", dead.get(0).sqlState());
    assertEquals(List.of("100", "-1"), dead.get(0).values());
    assertTrue(dead.get(0).message().contains("checked_amount_check"), dead.get(0).message());
  }

  @Test
  void byDefaultARefusedRowFailsTheWriteNamingTheFix() throws Exception {
    Pg.exec(pg, "CREATE TABLE required (id bigint PRIMARY KEY, v text NOT NULL)");
    WriteThroughSink<Long> sink = JdbcSink.<Long>into(conn, "required").columns("id", "v").key("id")
        .mapper(i -> new Object[] {i, null}).upsert();
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      w.write(1L);
      RowRejectedException e = assertThrows(RowRejectedException.class, w::flush);
      assertEquals("23502", e.row().sqlState());
      assertTrue(e.getMessage().contains("deadLetters("), e.getMessage());
    }
  }

  @Test
  void aLostConnectionIsRetriedOnANewOneAndThenFailsTheWrite() throws Exception {
    Pg.exec(pg, "CREATE TABLE retried (id bigint PRIMARY KEY)");
    AtomicInteger waits = new AtomicInteger();
    JdbcSinkBuilder<Long> b = JdbcSink.<Long>into(conn, "retried").columns("id").key("id")
        .mapper(i -> new Object[] {i}).retries(2, Duration.ofMillis(1)).retrySleeper(ms -> waits.incrementAndGet());
    WriteThroughSink<Long> sink = b.insertUnique();
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      w.write(1L);
      w.flush();
      Pg.exec(pg, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'onceflow'");
      w.write(2L);
      w.flush(); // the first try meets the dead session; the retry writes
      assertEquals(1, b.metrics().retries());
      pg.stop();
      try {
        w.write(3L);
        Exception e = assertThrows(java.sql.SQLException.class, w::flush);
        assertTrue(e.getMessage() != null);
        assertEquals(3, b.metrics().retries()); // 1 + 2 more, then the attempt fails
      } finally {
        pg.restart();
      }
    }
    assertEquals(2, Pg.scalar(pg, "SELECT count(*) FROM retried"));
    assertEquals(3, waits.get());
  }

  @Test
  void aMissingTableIsNonRecoverableAndNamesTheFix() throws Exception {
    WriteThroughSink<Long> sink = JdbcSink.<Long>into(conn, "no_such_table").columns("id").key("id")
        .mapper(i -> new Object[] {i}).upsert();
    try (SinkWriter<Long> w = sink.createWriter(CTX)) {
      w.write(1L);
      dev.onceflow.core.NonRecoverableException e =
          assertThrows(dev.onceflow.core.NonRecoverableException.class, w::flush);
      assertTrue(e.getMessage().contains("42P01") && e.getMessage().contains("no_such_table"), e.getMessage());
    }
  }

  @Test
  void identifiersAreQuotedAndValuesBound() throws Exception {
    Pg.exec(pg, "CREATE TABLE \"Odd \"\"Name\" (\"Key\" text PRIMARY KEY, \"select\" text)");
    WriteThroughSink<String> sink = JdbcSink.<String>into(conn, "Odd \"Name").columns("Key", "select").key("Key")
        .mapper(s -> new Object[] {s, "'); DROP TABLE x; --"}).upsert();
    try (SinkWriter<String> w = sink.createWriter(CTX)) {
      w.write("a");
      w.flush();
    }
    assertEquals(List.of("a|'); DROP TABLE x; --"), Pg.rows(pg, "SELECT * FROM \"Odd \"\"Name\""));
  }

  @Test
  void thePipelineBuilderRefusesWhatCannotHold() {
    var stream = Onceflow.pipeline("refuse").guarantee(Guarantee.EXACTLY_ONCE)
        .source(GeneratorSource.of(10, i -> i));
    WriteThroughSink<Long> plain = JdbcSink.<Long>into(conn, "t").columns("id").mapper(i -> new Object[] {i})
        .insert();
    InvalidPipelineException e = assertThrows(InvalidPipelineException.class, () -> stream.sinkTo(plain));
    assertTrue(e.getMessage().contains("jdbc-t"), e.getMessage());
    // accumulating updates cannot be declared on an upsert or insert-unique sink at all
    IllegalStateException acc = assertThrows(IllegalStateException.class,
        () -> JdbcSink.<Long>into(conn, "t").columns("id", "balance").key("id").accumulate("balance")
            .mapper(i -> new Object[] {i, i}).upsert());
    assertTrue(acc.getMessage().contains("exactlyOnce() or twoPhase()"), acc.getMessage());
    assertThrows(IllegalStateException.class, () -> JdbcSink.<Long>into(conn, "t").columns("id").key("id")
        .sql("INSERT INTO t VALUES (?)").mapper(i -> new Object[] {i}).insertUnique());
    // idempotent and transactional sinks are accepted
    Onceflow.pipeline("ok1").guarantee(Guarantee.EXACTLY_ONCE).source(GeneratorSource.of(1, i -> i))
        .sinkTo(JdbcSink.<Long>upsert(conn, "t", List.of("id"), List.of("id"), i -> new Object[] {i}));
    Onceflow.pipeline("ok2").guarantee(Guarantee.EXACTLY_ONCE).source(GeneratorSource.of(1, i -> i))
        .sinkTo(JdbcSink.<Long>into(conn, "t").columns("id", "b").key("id").accumulate("b")
            .mapper(i -> new Object[] {i, i}).exactlyOnce());
  }
}
