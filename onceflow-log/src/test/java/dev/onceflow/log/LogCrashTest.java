package dev.onceflow.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real crash tests: a child JVM ({@link CrashChild}) appends and prints every acknowledgement; it is killed with
 * SIGKILL after a seeded random number of acknowledgements; the directory is reopened and checked:
 *
 * <ul>
 *   <li>every acknowledged record is present exactly once, at its acknowledged offset, read-committed;
 *   <li>no record appears twice anywhere (read-uncommitted);
 *   <li>every transaction is all-or-nothing across partitions; acknowledged commits are visible, acknowledged and
 *       operator-decided aborts are not; a transaction whose prepare was acknowledged is either still PREPARED
 *       (then decided here, at random) or committed — never lost or aborted by recovery;
 *   <li>after deciding the prepared ones no transaction is open and every last stable offset equals the end offset.
 * </ul>
 */
class LogCrashTest {
  private static final String[] TOPICS = {"plain", "tx"};

  @TempDir Path dir;

  @Test
  void acknowledgedDataSurvivesKill9AndTransactionsAreAllOrNothing() throws Exception {
    new Run(dir, 0xC0FFEEL).kills(50);
  }

  @Test
  @Tag("soak")
  void soakManyKills() throws Exception {
    new Run(dir, System.nanoTime()).kills(500);
  }

  static final class Run {
    final Path dir;
    final long seed;
    final Random rnd;
    final Map<String, long[]> acked = new HashMap<>();
    final Set<String> committed = new HashSet<>();
    final Set<String> aborted = new HashSet<>();
    final Map<Long, String> preparedBySeq = new HashMap<>();
    int totalAcks;

    Run(Path dir, long seed) {
      this.dir = dir;
      this.seed = seed;
      this.rnd = new Random(seed);
    }

    void kills(int kills) throws Exception {
      Path logDir = dir.resolve("log");
      for (int run = 0; run < kills; run++) {
        int r = rnd.nextInt(6);
        String policy = r == 0 ? "os" : r == 1 ? "millis" : "every"; // kill -9 keeps the page cache: all must hold
        int target = 1 + rnd.nextInt(60);
        List<String> lines = runChild(logDir, run, policy, target);
        for (String line : lines) {
          apply(line);
        }
        verify(logDir, "seed " + seed + " run " + run + " (" + policy + ", killed after " + target + " acks)");
      }
      assertTrue(totalAcks >= kills, "the children acknowledged too little to test anything: " + totalAcks);
    }

    private List<String> runChild(Path logDir, int run, String policy, int target) throws Exception {
      Path err = dir.resolve("child-" + run + ".err");
      ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx96m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
          CrashChild.class.getName(), logDir.toString(), Long.toString(seed * 31 + run), Integer.toString(run),
          policy);
      pb.redirectError(err.toFile());
      Process child = pb.start();
      LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();
      Thread reader = new Thread(() -> {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            queue.add(line);
          }
        } catch (IOException e) {
          queue.add("IOERROR " + e);
        } finally {
          queue.add("EOF");
        }
      });
      reader.start();
      List<String> lines = new ArrayList<>();
      int acks = 0;
      boolean eof = false;
      while (acks < target) {
        String line = queue.poll(60, TimeUnit.SECONDS);
        if (line == null || line.equals("EOF")) {
          child.destroyForcibly().waitFor();
          fail("child " + run + " stopped or stalled before " + target + " acks:\n" + Files.readString(err));
        }
        lines.add(line);
        if (line.startsWith("ACK") || line.startsWith("PREP")) {
          acks++;
        }
      }
      child.destroyForcibly(); // SIGKILL
      child.waitFor();
      while (!eof) {
        String line = queue.poll(60, TimeUnit.SECONDS);
        if (line == null) {
          fail("child output did not end after the kill");
        }
        eof = line.equals("EOF");
        if (!eof) {
          lines.add(line);
        }
      }
      reader.join();
      return lines;
    }

    private void apply(String line) {
      if (!line.endsWith(" .")) {
        return; // cut by the kill: not an acknowledgement
      }
      String[] f = line.substring(0, line.length() - 2).split(" ");
      switch (f[0]) {
        case "READY" -> { }
        case "ACK" -> {
          totalAcks++;
          switch (f[1]) {
            case "R" -> acked.put(f[4], new long[] {Integer.parseInt(f[2]), Long.parseLong(f[3])});
            case "C" -> committed.add(f[2]);
            case "A" -> aborted.add(f[2]);
            default -> fail("unknown ack " + line);
          }
        }
        case "PREP" -> {
          totalAcks++;
          PreparedTransaction t = PreparedTransaction.fromBytes(HexFormat.of().parseHex(f[2]));
          preparedBySeq.put(t.transactionSequence(), f[1]);
        }
        default -> fail("unexpected child output: " + line);
      }
    }

    private void verify(Path logDir, String where) {
      try (Log log = Log.open(logDir)) {
        Set<String> lingering = new HashSet<>();
        for (PreparedTransaction t : log.preparedTransactions("")) {
          String name = preparedBySeq.get(t.transactionSequence());
          boolean commit = rnd.nextBoolean();
          CompletionResult r = commit ? log.commitPrepared(t) : log.abortPrepared(t);
          assertTrue(r.appliedNow(), where);
          if (name != null) {
            lingering.add(name);
            (commit ? committed : aborted).add(name);
          }
        }
        for (String name : preparedBySeq.values()) {
          if (!lingering.contains(name) && !aborted.contains(name)) {
            committed.add(name); // its prepare was acknowledged and nobody aborted it: it must be committed
          }
        }
        assertTrue(log.stats().transactions().isEmpty(), where + ": open transactions " + log.stats().transactions());
        Map<String, LogRecord> rc = new HashMap<>();
        Map<String, Integer> txnCounts = new HashMap<>();
        for (String topic : TOPICS) {
          for (int p = 0; p < log.partitions(topic); p++) {
            TopicPartition tp = new TopicPartition(topic, p);
            assertEquals(log.endOffset(tp), log.lastStableOffset(tp), where + ": LSO of " + tp);
            Set<String> seen = new HashSet<>();
            for (LogRecord r : TestSupport.readAll(log, Isolation.READ_UNCOMMITTED, tp)) {
              assertTrue(seen.add(TestSupport.s(r.value())), where + ": duplicate " + TestSupport.s(r.value()));
            }
            for (LogRecord r : TestSupport.readAll(log, Isolation.READ_COMMITTED, tp)) {
              String v = TestSupport.s(r.value());
              rc.put(v, r);
              if (v.startsWith("t-")) {
                txnCounts.merge(v.substring(0, v.lastIndexOf('-')), 1, Integer::sum);
              }
            }
          }
        }
        for (Map.Entry<String, long[]> e : acked.entrySet()) {
          LogRecord r = rc.get(e.getKey());
          assertTrue(r != null, where + ": acknowledged record " + e.getKey() + " is lost");
          assertEquals(e.getValue()[0], r.partition(), where + ": partition of " + e.getKey());
          assertEquals(e.getValue()[1], r.offset(), where + ": offset of " + e.getKey());
        }
        for (Map.Entry<String, Integer> e : txnCounts.entrySet()) {
          String name = e.getKey();
          int total = Integer.parseInt(name.substring(name.lastIndexOf('-') + 1));
          assertEquals(total, e.getValue(), where + ": transaction " + name + " is partly visible");
          assertTrue(!aborted.contains(name), where + ": aborted transaction " + name + " is visible");
        }
        for (String name : committed) {
          assertTrue(txnCounts.containsKey(name), where + ": committed transaction " + name + " is not visible");
        }
      }
    }
  }
}
