package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PaymentsTest {
  @TempDir Path dir;

  @Test
  void everyIdempotencyKeyIsChargedOnceDespiteTheRetries() throws Exception {
    long n = 4_000;
    ExampleRunner.Run run = ExampleRunner.run(new Payments(), dir, n);
    assertEquals(n + n / 4, run.inputRecords(), "the input holds the client's retries");
    Set<String> charged = new HashSet<>();
    for (String l : run.output()) {
      String[] f = l.split(" "); // charged KEY CUSTOMER CENTS
      long k = Long.parseLong(f[1].substring("pay-".length()));
      assertTrue(charged.add(f[1]), "charged twice: " + l);
      assertEquals("c-" + (k % 50), f[2], l);
      assertEquals(Payments.cents(k), Long.parseLong(f[3]), l);
    }
    assertEquals(n, charged.size(), "every payment charged");
  }
}
