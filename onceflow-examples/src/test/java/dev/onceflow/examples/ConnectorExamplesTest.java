package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.jdbc.server.LocalPostgres;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code --kafka} and {@code --postgres} variants of the examples on real servers (a broker and a throwaway
 * PostgreSQL started for the test), their output checked against the input alone, as the log variants' tests do.
 */
class ConnectorExamplesTest {
  @TempDir Path tmp;

  @Test
  void tagCountsKafkaToKafka() throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.startNew(tmp.resolve("kafka"))) {
      long n = 3_000;
      Path dir = tmp.resolve("example");
      ExampleRunner.Run run = ConnectorRunner.runOnKafka(new DailyTagCounts(), dir, n, broker.bootstrapServers());
      assertEquals(n, run.inputRecords());
      assertEquals(DailyTagCountsTest.expected(n), DailyTagCountsTest.counts(run.output()));
      assertTrue(run.location().contains("Kafka topic"), run.location());

      ExampleRunner.Run again = ConnectorRunner.runOnKafka(new DailyTagCounts(), dir, n, broker.bootstrapServers());
      assertFalse(again.inputWritten());
      assertEquals(run.output(), again.output(), "a second run on the finished job must write nothing more");
    }
  }

  @Test
  void paymentsAndClicksIntoPostgres() throws Exception {
    try (LocalPostgres pg = LocalPostgres.startTemporary()) {
      long n = 3_000;
      ExampleRunner.Run payments = ConnectorRunner.runOnPostgres(new Payments(), tmp.resolve("payments"), n,
          pg.jdbcUrl());
      assertEquals(n + n / 4, payments.inputRecords(), "the input holds the client's retries");
      Set<String> keys = new HashSet<>();
      for (String row : payments.output()) {
        String[] f = row.split(" "); // KEY CUSTOMER CENTS
        long k = Long.parseLong(f[0].substring("pay-".length()));
        assertTrue(keys.add(f[0]), "charged twice: " + row);
        assertEquals("c-" + (k % 50), f[1], row);
        assertEquals(Payments.cents(k), Long.parseLong(f[2]), row);
      }
      assertEquals(n, keys.size(), "every payment charged once");

      ExampleRunner.Run clicks = ConnectorRunner.runOnPostgres(new Clicks(), tmp.resolve("clicks"), n, pg.jdbcUrl());
      Map<String, String> expected = new HashMap<>();
      for (InputRecord r : new Clicks().input(n)) {
        String[] f = r.value().split(",");
        expected.put(f[0] + "|" + f[1], f[2]);
      }
      Map<String, String> table = new HashMap<>();
      for (String row : clicks.output()) {
        String[] f = row.split(" "); // USER TS PAGE
        assertEquals(null, table.put(f[0] + "|" + f[1], f[2]), "two rows for one key: " + row);
      }
      assertEquals(expected, table);
    }
  }
}
