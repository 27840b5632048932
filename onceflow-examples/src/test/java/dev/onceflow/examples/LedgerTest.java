package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LedgerTest {
  @TempDir Path dir;

  @Test
  void everyTransferHasOneLineAndTheBalancesAddUp() throws Exception {
    long n = 4_000;
    ExampleRunner.Run run = ExampleRunner.run(new Ledger(), dir, n);
    assertEquals(n, run.output().size(), "one statement line per transfer");
    Map<Long, Long> lineOf = new HashMap<>();
    Map<Integer, Long> balance = new HashMap<>();
    for (String l : run.output()) {
      // account A transfer T C balance B
      String[] f = l.split(" ");
      long id = Long.parseLong(f[3]);
      assertEquals(null, lineOf.put(id, 1L), "transfer " + id + " twice");
      assertEquals(Ledger.account(id), Integer.parseInt(f[1]), l);
      assertEquals(Ledger.cents(id), Long.parseLong(f[4]), l);
    }
    for (long i = 0; i < n; i++) {
      balance.merge(Ledger.account(i), Ledger.cents(i), Long::sum);
    }
    // an account's lines are in one output partition, in the order they were written: each balance is the sum so far
    Map<Integer, Long> sumSoFar = new HashMap<>();
    Map<Integer, Long> finalSeen = new HashMap<>();
    for (String l : run.output()) {
      String[] f = l.split(" ");
      int account = Integer.parseInt(f[1]);
      long b = sumSoFar.merge(account, Long.parseLong(f[4]), Long::sum);
      assertEquals(b, Long.parseLong(f[6]), "balance after " + l);
      finalSeen.put(account, b);
    }
    assertEquals(balance, finalSeen);
  }
}
