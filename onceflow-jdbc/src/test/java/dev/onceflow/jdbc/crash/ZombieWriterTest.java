package dev.onceflow.jdbc.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.jdbc.server.LocalPostgres;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A zombie writer: the exactly-once ledger pipeline is SIGSTOPped mid-run, a second process takes over from a copy of
 * its checkpoint directory and finishes, then the first is resumed (SIGCONT). Its epoch is older, so whatever it still
 * tries to apply changes nothing: the balances stay exact.
 */
class ZombieWriterTest {
  private static final long EVENTS = 40_000;
  static LocalPostgres pg;

  @TempDir Path tmp;

  @BeforeAll
  static void start() throws Exception {
    pg = LocalPostgres.startTemporary();
  }

  @AfterAll
  static void stop() throws Exception {
    pg.close();
  }

  private Process child(Path ckpt, BlockingQueue<String> lines) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
        JdbcCrashChild.class.getName(), pg.jdbcUrl(), ckpt.toString(), "ledger", "exactly-once", "EXACTLY_ONCE",
        Long.toString(EVENTS)));
    Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(tmp.resolve("err").toFile()))
        .start();
    p.getOutputStream().close();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (java.io.IOException e) {
        // ended
      }
    });
    pump.setDaemon(true);
    pump.start();
    return p;
  }

  private static void await(BlockingQueue<String> lines, String line, long millis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
    while (System.nanoTime() < deadline) {
      String l = lines.poll(100, TimeUnit.MILLISECONDS);
      if (line.equals(l)) {
        return;
      }
    }
    throw new AssertionError("no '" + line + "' within " + millis + " ms");
  }

  private static void signal(Process p, String sig) throws Exception {
    assertEquals(0, new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor());
  }

  @Test
  void aResumedZombieChangesNothing() throws Exception {
    try (Connection c = pg.connect(); Statement s = c.createStatement()) {
      s.execute(CrashJobs.ddl("ledger"));
    }
    Path ckpt = tmp.resolve("ckpt");
    BlockingQueue<String> zombieLines = new LinkedBlockingQueue<>();
    Process zombie = child(ckpt, zombieLines);
    try {
      await(zombieLines, "COMMITTED 4", 60_000);
      signal(zombie, "STOP");
      assertTrue(zombie.isAlive() && !zombieLines.contains("FINISHED"),
          "the first process must be stopped mid-run, not finished (input too small for this machine?)");
      // the successor takes over from a copy of the checkpoints (failover to another machine: on this one core's
      // checkpoint-directory lock refuses a second process on the same directory)
      Path copy = tmp.resolve("ckpt-copy");
      try (var walk = java.nio.file.Files.walk(ckpt)) {
        for (Path f : (Iterable<Path>) walk::iterator) {
          Path to = copy.resolve(ckpt.relativize(f).toString());
          if (java.nio.file.Files.isDirectory(f)) {
            java.nio.file.Files.createDirectories(to);
          } else {
            java.nio.file.Files.copy(f, to);
          }
        }
      }
      BlockingQueue<String> lines = new LinkedBlockingQueue<>();
      Process successor = child(copy, lines);
      await(lines, "FINISHED", 120_000);
      assertEquals(0, successor.waitFor());
      Map<String, Long> expected = CrashJobs.expectedBalances(EVENTS);
      assertEquals(expected, balances(), "the successor alone is exact");
      signal(zombie, "CONT");
      // the zombie runs on: it is fenced (or finds the job finished) and ends; meanwhile it must change nothing
      assertTrue(zombie.waitFor(120, TimeUnit.SECONDS), "the resumed zombie ends");
      assertEquals(expected, balances(), "the resumed zombie changed nothing");
      String err = java.nio.file.Files.readString(tmp.resolve("err"));
      // its tokens are either older than what the successor applied (stale) or fenced by the successor's epoch
      System.out.println("zombie test: the resumed zombie exited " + zombie.exitValue()
          + (err.contains("WriterFencedException") ? ", fenced" : ", its tokens stale"));
    } finally {
      zombie.destroyForcibly();
      zombie.waitFor();
    }
  }

  private static Map<String, Long> balances() throws Exception {
    Map<String, Long> m = new TreeMap<>();
    try (Connection c = pg.connect(); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT account, balance FROM ledger")) {
      while (r.next()) {
        m.put(r.getString(1), r.getLong(2));
      }
    }
    return m;
  }
}
