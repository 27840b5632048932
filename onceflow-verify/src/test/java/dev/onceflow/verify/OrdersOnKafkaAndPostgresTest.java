package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.jdbc.server.LocalPostgres;
import dev.onceflow.verify.kafka.KafkaIo;
import dev.onceflow.verify.postgres.PostgresIo;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The orders job on the real systems: orders read from Kafka, the inventory in a PostgreSQL table updated by the
 * exactly-once JDBC sink ({@code stock = stock + change}, one transaction per checkpoint), the events written to Kafka
 * transactionally; both sinks in one checkpoint, the pipeline SIGKILLed. And the torn checkpoint on the database.
 */
class OrdersOnKafkaAndPostgresTest {
  static LocalPostgres pg;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws IOException {
    pg = LocalPostgres.startTemporary();
  }

  @AfterAll
  static void stop() throws IOException {
    pg.close();
  }

  @Test
  void exactlyOnceAcrossKafkaAndPostgresWithKills() throws Exception {
    // --io kafka --sink postgres: the verification starts its own Kafka broker in the work directory
    IoOptions io = IoOptions.LOG.withInput(KafkaIo.NAME).withOutput(PostgresIo.STORE)
        .with(PostgresIo.URL, pg.jdbcUrl());
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.ORDERS, Guarantee.EXACTLY_ONCE, 4_000, 3, 7).withIo(io)
        .withRecordsPerSecond(1_500).withWorkDir(tmp.resolve("work")));
    System.out.println("verify orders kafka+postgres: " + r.toJson() + " " + r.check().problems());
    assertTrue(r.crashes() >= 2, r.kills()::toString);
    assertTrue(r.promiseHeld(), () -> r.toJson() + " " + r.check().problems());
    assertTrue(r.check().exact());
    assertEquals(0, r.lingeringPrepared());
  }

  /** The inventory's changes of a checkpoint applied on the barrier: a replay adds them again. */
  @Test
  void aTornCheckpointIsCaughtOnPostgres() throws Exception {
    IoOptions io = IoOptions.LOG.withOutput(PostgresIo.STORE).with(PostgresIo.URL, pg.jdbcUrl());
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.ORDERS, Guarantee.EXACTLY_ONCE, 12_000, 3, 5).withIo(io)
        .withChildMainClass(TornCheckpointChild.class.getName()).withWorkDir(tmp.resolve("work")),
        OrdersVerifierTest.killsAfterPrepares(), line -> {});
    System.out.println("verify orders torn checkpoint (postgres): " + r.toJson() + " " + r.check().problems());
    assertTrue(r.crashes() >= 2, r.kills()::toString);
    assertFalse(r.promiseHeld(), r::toJson);
    assertTrue(r.check().duplicated() > 0, r::toJson);
    assertFalse(r.check().exact(), r::toJson);
  }
}
