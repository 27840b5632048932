package dev.onceflow.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.NonRecoverableException;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.TwoPhaseCommitSink;
import dev.onceflow.core.sink.TwoPhaseCommitWriter;
import dev.onceflow.jdbc.server.LocalPostgres;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The exactly-once and two-phase sinks' protocol against a real PostgreSQL, driven call by call as the runtime does. */
class TransactionalSinkTest {
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

  record Transfer(String account, long delta) {}

  private static JdbcSinkBuilder<Transfer> ledger(String table) throws Exception {
    Pg.exec(pg, "CREATE TABLE " + table + " (account text PRIMARY KEY, balance bigint NOT NULL)");
    return JdbcSink.<Transfer>into(conn, table).name(table).columns("account", "balance").key("account")
        .accumulate("balance").mapper(t -> new Object[] {t.account(), t.delta()});
  }

  private static byte[] checkpoint(TwoPhaseCommitWriter<Transfer> w, long id, Transfer... ts) throws Exception {
    w.beginTransaction();
    for (Transfer t : ts) {
      w.write(t);
    }
    return w.preCommit(id);
  }

  /**
   * commitAll applies the subtasks' tokens in parallel, one connection each. Here both subtasks accumulate into the
   * same rows in opposite orders (an unkeyed stream), so their transactions may deadlock; the loser is applied again
   * alone. Either way every update counts once, and committing the same tokens again changes nothing.
   */
  @Test
  void exactlyOnceCommitAllAppliesSubtasksInParallelAndExactly() throws Exception {
    JdbcSinkBuilder<Transfer> b = ledger("ledger_par");
    TwoPhaseCommitSink<Transfer> sink = b.exactlyOnce();
    SinkContext c0 = new SinkContext("job", "ledger_par", 0, 2);
    SinkContext c1 = new SinkContext("job", "ledger_par", 1, 2);
    try (TwoPhaseCommitWriter<Transfer> w0 = sink.createWriter(c0);
        TwoPhaseCommitWriter<Transfer> w1 = sink.createWriter(c1)) {
      for (long id = 1; id <= 3; id++) {
        Transfer[] up = new Transfer[400];
        Transfer[] down = new Transfer[400];
        for (int i = 0; i < up.length; i++) {
          up[i] = new Transfer("k" + (i % 40), 1);
          down[i] = new Transfer("k" + (39 - i % 40), 2);
        }
        List<byte[]> tokens = List.of(checkpoint(w0, id, up), checkpoint(w1, id, down));
        sink.commitAll(tokens);
        sink.commitAll(tokens); // recovery's second commit: stale, no change
      }
    }
    // per key and checkpoint: 10 updates of 1 from subtask 0 and 10 of 2 from subtask 1, over 3 checkpoints
    assertEquals(40, Pg.scalar(pg, "SELECT count(*) FROM ledger_par WHERE balance = 90"));
    assertEquals(6, b.metrics().checkpointsApplied());
    assertEquals(6, b.metrics().staleApplies());
  }

  @Test
  void exactlyOnceAppliesOnlyOnCommitOnceAndAccumulatesExactly() throws Exception {
    JdbcSinkBuilder<Transfer> b = ledger("ledger_eo");
    TwoPhaseCommitSink<Transfer> sink = b.exactlyOnce();
    SinkContext ctx = new SinkContext("job", "ledger_eo", 0, 1);
    sink.abortLingering(ctx, List.of());
    try (TwoPhaseCommitWriter<Transfer> w = sink.createWriter(ctx)) {
      // many updates of one account in one checkpoint: each adds, none is lost to batching
      Transfer[] many = new Transfer[1000];
      for (int i = 0; i < many.length; i++) {
        many[i] = new Transfer(i % 2 == 0 ? "a" : "b", 1);
      }
      byte[] t1 = checkpoint(w, 1, many);
      assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM ledger_eo"), "nothing before the checkpoint completed");
      sink.commit(t1);
      sink.commit(t1); // recovery commits the restored checkpoint's tokens again: no change
      byte[] t2 = checkpoint(w, 2, new Transfer("a", 10));
      sink.commit(t2);
      sink.commit(t1); // an older checkpoint id: no change
    }
    assertEquals(List.of("a|510", "b|500"), Pg.rows(pg, "SELECT * FROM ledger_eo ORDER BY account"));
    assertEquals(2, b.metrics().checkpointsApplied());
    assertEquals(2, b.metrics().staleApplies());
    assertEquals(List.of("job|ledger_eo|0|2|1"), Pg.rows(pg,
        "SELECT pipeline, sink, subtask, checkpoint_id, epoch FROM onceflow_sink_progress WHERE sink = 'ledger_eo'"));
    // the same pipeline and sink started again on a fresh checkpoint directory: ids restart at 1, which would
    // silently apply nothing; refused with the fix instead
    try (TwoPhaseCommitWriter<Transfer> again = sink.createWriter(ctx)) {
      byte[] restarted = checkpoint(again, 1, new Transfer("a", 1));
      NonRecoverableException e = assertThrows(NonRecoverableException.class, () -> sink.commit(restarted));
      assertTrue(e.getMessage().contains("another name"), e.getMessage());
    }
    assertEquals(List.of("a|510", "b|500"), Pg.rows(pg, "SELECT * FROM ledger_eo ORDER BY account"));
  }

  @Test
  void exactlyOnceRefusesAZombieWritersRowsAndChangesNothing() throws Exception {
    JdbcSinkBuilder<Transfer> b = ledger("ledger_zombie");
    TwoPhaseCommitSink<Transfer> sink = b.exactlyOnce();
    SinkContext ctx = new SinkContext("job", "ledger_zombie", 0, 1);
    TwoPhaseCommitWriter<Transfer> old = sink.createWriter(ctx);
    byte[] zombieToken = checkpoint(old, 5, new Transfer("a", 100));
    TwoPhaseCommitWriter<Transfer> fresh = sink.createWriter(ctx); // a new process: epoch 2
    sink.commit(checkpoint(fresh, 6, new Transfer("a", 1)));
    byte[] zombieLater = checkpoint(old, 7, new Transfer("a", 1000));
    WriterFencedException e = assertThrows(WriterFencedException.class, () -> sink.commit(zombieLater));
    assertTrue(e.getMessage().contains("epoch 1") && e.getMessage().contains("epoch 2"), e.getMessage());
    sink.commit(zombieToken); // older than what was applied: changes nothing either
    old.close();
    fresh.close();
    assertEquals(List.of("a|1"), Pg.rows(pg, "SELECT * FROM ledger_zombie"));
    assertEquals(1, b.metrics().fencedApplies());
    assertEquals(1, b.metrics().staleApplies());
  }

  @Test
  void twoPhasePreparesOnTheBarrierCommitsAfterCompletionAndRecoveryResolvesTheRest() throws Exception {
    JdbcSinkBuilder<Transfer> b = ledger("ledger_2pc");
    TwoPhaseCommitSink<Transfer> sink = b.twoPhase();
    SinkContext ctx = new SinkContext("job", "ledger_2pc", 0, 1);
    sink.abortLingering(ctx, List.of());
    byte[] t1;
    byte[] t2;
    try (TwoPhaseCommitWriter<Transfer> w = sink.createWriter(ctx)) {
      t1 = checkpoint(w, 1, new Transfer("a", 5), new Transfer("a", 5));
      assertEquals(1, Pg.scalar(pg, "SELECT count(*) FROM pg_prepared_xacts"));
      assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM ledger_2pc"), "prepared is invisible");
      sink.commit(t1);
      sink.commit(t1); // committed already: its marker says so
      t2 = checkpoint(w, 2, new Transfer("a", 7)); // prepared, then the process "dies"
    }
    // the next process restores checkpoint 1 (which recorded t1 only): t2 lingers and is rolled back
    sink.commit(t1);
    sink.abortLingering(ctx, List.of(t1));
    assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM pg_prepared_xacts"));
    assertEquals(List.of("a|10"), Pg.rows(pg, "SELECT * FROM ledger_2pc"));
    // committing the rolled-back t2 now would be a lost checkpoint: said so, not silently accepted
    PreparedTransactionLostException lost = assertThrows(PreparedTransactionLostException.class,
        () -> sink.commit(t2));
    assertTrue(lost.getMessage().contains("checkpoint 2"), lost.getMessage());
  }

  /**
   * A process killed while its backend ran PREPARE TRANSACTION: the prepare can finish after the next process's
   * recovery listed pg_prepared_xacts, and holds the progress row the next writer must bump. The writer rolls it back
   * (its checkpoint never completed) instead of waiting 30 s for the lock and failing the attempt.
   */
  @Test
  void twoPhaseWriterRollsBackATransactionPreparedAfterRecoveryListedThem() throws Exception {
    TwoPhaseCommitSink<Transfer> sink = ledger("ledger_2pc_late").twoPhase();
    SinkContext ctx = new SinkContext("job", "ledger_2pc_late", 0, 1);
    TwoPhaseCommitWriter<Transfer> dying = sink.createWriter(ctx);
    dying.beginTransaction();
    dying.write(new Transfer("a", 100));
    sink.abortLingering(ctx, List.of()); // the next process's recovery: nothing prepared yet
    dying.preCommit(9); // the dead process's backend finishes its PREPARE TRANSACTION now
    assertEquals(1, Pg.scalar(pg, "SELECT count(*) FROM pg_prepared_xacts"));
    long start = System.nanoTime();
    try (TwoPhaseCommitWriter<Transfer> fresh = sink.createWriter(ctx)) {
      assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(20),
          "the writer did not wait out the 30 s lock timeout");
      sink.commit(checkpoint(fresh, 10, new Transfer("a", 1)));
    }
    dying.close();
    assertEquals(List.of("a|1"), Pg.rows(pg, "SELECT * FROM ledger_2pc_late"));
    assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM pg_prepared_xacts"));
  }

  @Test
  void twoPhaseZombieCannotPrepareAfterANewerWriterStarted() throws Exception {
    TwoPhaseCommitSink<Transfer> sink = ledger("ledger_2pc_zombie").twoPhase();
    SinkContext ctx = new SinkContext("job", "ledger_2pc_zombie", 0, 1);
    TwoPhaseCommitWriter<Transfer> old = sink.createWriter(ctx);
    TwoPhaseCommitWriter<Transfer> fresh = sink.createWriter(ctx);
    assertThrows(WriterFencedException.class, () -> checkpoint(old, 3, new Transfer("a", 100)));
    sink.commit(checkpoint(fresh, 4, new Transfer("a", 1)));
    old.close();
    fresh.close();
    assertEquals(List.of("a|1"), Pg.rows(pg, "SELECT * FROM ledger_2pc_zombie"));
    assertEquals(0, Pg.scalar(pg, "SELECT count(*) FROM pg_prepared_xacts"));
  }

  @Test
  void twoPhaseIsRefusedAtStartWhenTheServerHasNoPreparedTransactions() throws Exception {
    try (LocalPostgres none = LocalPostgres.startTemporary(Map.of("max_prepared_transactions", "0"))) {
      JdbcConnection c = JdbcConnection.url(none.jdbcUrl());
      TwoPhaseCommitSink<Transfer> sink = JdbcSink.<Transfer>into(c, "x").columns("account", "balance")
          .key("account").mapper(t -> new Object[] {t.account(), t.delta()}).twoPhase();
      NonRecoverableException e = assertThrows(NonRecoverableException.class,
          () -> sink.abortLingering(new SinkContext("job", "x", 0, 1), List.of()));
      assertTrue(e.getMessage().contains("max_prepared_transactions is 0"), e.getMessage());
      assertTrue(e.getMessage().contains("exactlyOnce()"), e.getMessage());
    }
  }
}
