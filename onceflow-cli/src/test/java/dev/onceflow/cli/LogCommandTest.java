package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogCommandTest {
  @TempDir Path dir;

  record Result(int code, String out, String err) {}

  static Result run(String stdin, String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    InputStream oldIn = System.in;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      System.setIn(new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)));
      int code = Main.run(args);
      return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
      System.setIn(oldIn);
    }
  }

  @Test
  void createProduceDumpAndStatRoundTrip() throws Exception {
    String d = dir.resolve("log").toString();
    Result created = run("", "log", "create", "--dir", d, "--topic", "t", "--partitions", "2");
    assertEquals(0, created.code(), created.err());
    assertTrue(created.out().contains("2 partitions"), created.out());
    Result produced = run("k1\tv1\nonly-value\nk1\tv2\n", "log", "produce", "--dir", d, "--topic", "t");
    assertEquals(0, produced.code(), produced.err());
    assertTrue(produced.out().contains("produced 3 records"), produced.out());

    Result dumped = run("", "log", "dump", "--dir", d, "--topic", "t", "--json");
    assertEquals(0, dumped.code(), dumped.err());
    List<String> lines = dumped.out().lines().toList();
    assertEquals(3, lines.size(), dumped.out());
    ObjectMapper mapper = new ObjectMapper();
    int keyed = 0;
    int unkeyed = 0;
    for (String line : lines) {
      JsonNode o = mapper.readTree(line);
      assertEquals("t", o.get("topic").asText());
      assertTrue(o.has("partition") && o.has("offset") && o.has("timestamp"));
      if (o.get("key").isNull()) {
        assertEquals("only-value", o.get("value").asText());
        unkeyed++;
      } else {
        assertEquals("k1", o.get("key").asText());
        keyed++;
      }
    }
    assertEquals(2, keyed);
    assertEquals(1, unkeyed);

    Result text = run("", "log", "dump", "--dir", d, "--topic", "t", "--isolation", "read-uncommitted");
    assertEquals(0, text.code(), text.err());
    assertTrue(text.out().contains("\tk1\tv2"), text.out());

    Result stat = run("", "log", "stat", "--dir", d);
    assertEquals(0, stat.code(), stat.err());
    assertTrue(stat.out().contains("t-0") && stat.out().contains("t-1"), stat.out());
    assertTrue(stat.out().contains("open transactions: 0"), stat.out());
  }

  @Test
  void badArgumentsAreOneLineErrorsWithExitCode2() {
    String d = dir.resolve("log").toString();
    assertEquals(0, run("", "log", "create", "--dir", d, "--topic", "t").code());
    for (String[] args : List.of(
        new String[] {"log", "dump", "--dir", d, "--topic", "t", "--isolation", "sometimes"},
        new String[] {"log", "dump", "--dir", d, "--topic", "missing"},
        new String[] {"log", "stat", "--dir", dir.resolve("nope").toString()},
        new String[] {"log", "create", "--dir", d, "--topic", "t", "--partitions", "3"},
        new String[] {"log", "create", "--dir", d, "--topic", "x", "--partitions", "0"},
        new String[] {"log", "produce", "--dir", d},
        new String[] {"log"})) {
      Result r = run("", args);
      assertEquals(2, r.code(), String.join(" ", args) + " -> " + r.err());
      assertEquals(1, r.err().lines().count(), "one line: " + r.err());
    }
  }

  @Test
  void txnListsPreparedTransactionsAndAnOperatorCanDecideThem() {
    java.nio.file.Path d = dir.resolve("log");
    dev.onceflow.log.TopicPartition tp = new dev.onceflow.log.TopicPartition("t", 0);
    try (dev.onceflow.log.Log log = dev.onceflow.log.Log.open(d)) {
      log.createTopic("t", dev.onceflow.log.TopicConfig.partitions(1));
      dev.onceflow.log.TransactionalProducer tx = log.transactionalProducer("sink-0");
      tx.initTransactions();
      for (int i = 0; i < 2; i++) {
        tx.beginTransaction();
        tx.send(tp, dev.onceflow.log.ProducerRecord.of(("v" + i).getBytes(StandardCharsets.UTF_8)));
        tx.prepare();
      }
    }
    Result list = run("", "log", "txn", "--dir", d.toString());
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().startsWith("2 prepared transaction(s)"), list.out());
    assertTrue(list.out().contains("sink-0#0") && list.out().contains("sink-0#1"), list.out());
    Result committed = run("", "log", "txn", "--dir", d.toString(), "--commit", "sink-0#0");
    assertEquals(0, committed.code(), committed.err());
    assertTrue(committed.out().contains("COMMITTED"), committed.out());
    Result aborted = run("", "log", "txn", "--dir", d.toString(), "--abort", "sink-0#1");
    assertEquals(0, aborted.code(), aborted.err());
    Result dump = run("", "log", "dump", "--dir", d.toString(), "--topic", "t");
    assertEquals(List.of("v0"), dump.out().lines().map(l -> l.substring(l.lastIndexOf('\t') + 1)).toList());
    Result missing = run("", "log", "txn", "--dir", d.toString(), "--commit", "sink-0#1");
    assertEquals(2, missing.code());
    assertTrue(run("", "log", "stat", "--dir", d.toString()).out().contains("open transactions: 0"));
  }

  @Test
  void dumpAndStatNeverModifyTheDirectoryEvenWithATornTail() throws Exception {
    Path d = dir.resolve("log");
    assertEquals(0, run("", "log", "create", "--dir", d.toString(), "--topic", "t", "--partitions", "1").code());
    assertEquals(0, run("a\nb\nc\n", "log", "produce", "--dir", d.toString(), "--topic", "t").code());
    Path seg;
    try (var s = java.nio.file.Files.list(d.resolve("topics/t/0"))) {
      seg = s.findFirst().orElseThrow();
    }
    try (var raf = new java.io.RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(raf.length());
      raf.write(new byte[] {0, 0, 0, 60, 1, 2, 3}); // a torn batch at the tail
    }
    long size = java.nio.file.Files.size(seg);
    byte[] coordinator = java.nio.file.Files.readAllBytes(d.resolve("meta/coordinator.dat"));
    Result dump = run("", "log", "dump", "--dir", d.toString(), "--topic", "t");
    assertEquals(0, dump.code(), dump.err());
    assertEquals(3, dump.out().lines().count(), dump.out());
    assertEquals(0, run("", "log", "stat", "--dir", d.toString()).code());
    assertEquals(0, run("", "log", "group", "list", "--dir", d.toString()).code());
    assertEquals(size, java.nio.file.Files.size(seg), "a read-only command truncated the segment");
    org.junit.jupiter.api.Assertions.assertArrayEquals(coordinator,
        java.nio.file.Files.readAllBytes(d.resolve("meta/coordinator.dat")));
  }

  @Test
  void aCorruptLogIsOneLineNamingFileAndPosition() throws Exception {
    Path d = dir.resolve("log");
    assertEquals(0, run("", "log", "create", "--dir", d.toString(), "--topic", "t", "--partitions", "1").code());
    assertEquals(0, run("a\n", "log", "produce", "--dir", d.toString(), "--topic", "t").code());
    assertEquals(0, run("b\n", "log", "produce", "--dir", d.toString(), "--topic", "t").code());
    Path seg;
    try (var s = java.nio.file.Files.list(d.resolve("topics/t/0"))) {
      seg = s.findFirst().orElseThrow();
    }
    try (var raf = new java.io.RandomAccessFile(seg.toFile(), "rw")) {
      raf.seek(20); // inside the first batch; a valid one follows
      raf.write(raf.read() ^ 0x5A);
    }
    Result dump = run("", "log", "dump", "--dir", d.toString(), "--topic", "t");
    assertEquals(1, dump.code(), dump.err());
    assertEquals(1, dump.err().lines().count(), dump.err());
    assertTrue(dump.err().contains(seg.toString()) && dump.err().contains("byte position 0"), dump.err());
  }

  @Test
  void groupListShowsAPipelinesHoldAndDeleteReleasesIt() {
    Path d = dir.resolve("log");
    try (dev.onceflow.log.Log log = dev.onceflow.log.Log.open(d)) {
      log.createTopic("t", dev.onceflow.log.TopicConfig.partitions(1));
      log.producer().send(new dev.onceflow.log.TopicPartition("t", 0), new dev.onceflow.log.ProducerRecord(null,
          new byte[] {1}, 1, null));
      log.commitOffsets("onceflow.job", java.util.Map.of(new dev.onceflow.log.TopicPartition("t", 0), 0L));
    }
    Result list = run("", "log", "group", "list", "--dir", d.toString());
    assertEquals(0, list.code(), list.err());
    assertTrue(list.out().contains("1 group(s)") && list.out().contains("onceflow.job"), list.out());
    Result missing = run("", "log", "group", "delete", "--dir", d.toString(), "--group", "nope");
    assertEquals(2, missing.code(), missing.err());
    assertTrue(missing.err().contains("onceflow.job"), missing.err());
    Result deleted = run("", "log", "group", "delete", "--dir", d.toString(), "--group", "onceflow.job");
    assertEquals(0, deleted.code(), deleted.err());
    assertTrue(run("", "log", "group", "list", "--dir", d.toString()).out().contains("0 group(s)"));
  }
}
