package dev.onceflow.verify.postgres;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.jdbc.server.LocalPostgres;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.Checker;
import dev.onceflow.verify.ChildIo;
import dev.onceflow.verify.FailoverChild;
import dev.onceflow.verify.InputEvent;
import dev.onceflow.verify.InputLayout;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.JobInputs;
import dev.onceflow.verify.JobRunSpec;
import dev.onceflow.verify.OutputRecord;
import dev.onceflow.verify.VerifyOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * A zombie writer through the verifier's pieces: the ledger pipeline (exactly-once sink into the verification's
 * table) is SIGSTOPped mid-run; a successor takes over from a copy of its log and checkpoint directories (a failover:
 * on one machine the log's lock refuses a second process on the same directories) under the same pipeline and sink
 * names and finishes; the checker finds the table exact; then the zombie is resumed (SIGCONT) and runs until it
 * ends: the table must not change.
 */
class ZombieWriterFailoverTest {
  private static final Job JOB = Job.LEDGER;
  private static final long EVENTS = 20_000;
  private static final int PARTITIONS = 4;
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

  @Test
  void aResumedZombieChangesNothing() throws Exception {
    Path work = tmp.resolve("work");
    Path copy = tmp.resolve("failover");
    Files.createDirectories(work);
    writeInput(work.resolve("log"));
    VerifyOptions o = VerifyOptions.of(JOB, Guarantee.EXACTLY_ONCE, EVENTS, 0, 1).withIo(IoOptions.LOG
        .withOutput(PostgresIo.STORE).with(PostgresIo.URL, pg.jdbcUrl())
        .with(PostgresIo.MODE, PostgresSinkMode.EXACTLY_ONCE.cliName()));
    try (PostgresOutputStore store = new PostgresOutputStore(o, work)) {
      store.create(JOB, PARTITIONS);
      Map<String, String> io = new TreeMap<>(store.childSettings());
      io.put(ChildIo.INPUT, "log");
      io.put(ChildIo.OUTPUT, PostgresIo.STORE);
      BlockingQueue<String> zombieLines = new LinkedBlockingQueue<>();
      Process zombie = child(work, io, zombieLines);
      try {
        FailoverChild.awaitCommits(zombieLines, 4, 90_000);
        FailoverChild.signal(zombie, "STOP");
        assertTrue(zombie.isAlive() && !zombieLines.contains("FINISHED"),
            "the first process must be stopped mid-run, not finished");
        FailoverChild.copyTree(work.resolve("log"), copy.resolve("log"));
        FailoverChild.copyTree(work.resolve("checkpoints"), copy.resolve("checkpoints"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process successor = child(copy, io, lines);
        assertTrue(successor.waitFor(180, TimeUnit.SECONDS), "the successor finishes");
        assertEquals(0, successor.exitValue(), () -> stderr());
        List<OutputRecord> afterSuccessor = store.readCommitted(JOB);
        CheckResult alone = Checker.check(JOB, EVENTS, PARTITIONS, afterSuccessor);
        assertTrue(alone.exact(), "the successor alone is exact: " + alone);
        FailoverChild.signal(zombie, "CONT");
        assertTrue(zombie.waitFor(180, TimeUnit.SECONDS), "the resumed zombie ends");
        List<OutputRecord> after = store.readCommitted(JOB);
        assertEquals(afterSuccessor, after, "the resumed zombie changed the table");
        assertTrue(Checker.check(JOB, EVENTS, PARTITIONS, after).exact());
        String err = stderr();
        System.out.println("zombie failover: the resumed zombie exited " + zombie.exitValue()
            + (err.contains("WriterFencedException") ? ", fenced by the successor's epoch" : ", its tokens stale"));
      } finally {
        zombie.destroyForcibly();
        zombie.waitFor();
      }
    }
  }

  private String stderr() {
    try {
      return Files.readString(tmp.resolve("child.err"));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }

  private static void writeInput(Path logDir) {
    String topic = JobRunSpec.inputTopic(JOB);
    try (Log log = Log.open(logDir, LogConfig.defaults())) {
      log.createTopic(topic, TopicConfig.partitions(PARTITIONS));
      log.createTopic(JobRunSpec.outputTopic(JOB), TopicConfig.partitions(PARTITIONS));
      List<List<ProducerRecord>> batches = new ArrayList<>();
      for (int p = 0; p < PARTITIONS; p++) {
        batches.add(new ArrayList<>());
      }
      for (InputEvent e : JobInputs.generate(JOB, EVENTS)) {
        batches.get(InputLayout.ROUND_ROBIN.partitionOf(e.position(), PARTITIONS)).add(
            new ProducerRecord(null, e.json().getBytes(StandardCharsets.UTF_8), e.timestamp(), null));
      }
      try (Producer producer = log.idempotentProducer()) {
        for (int p = 0; p < PARTITIONS; p++) {
          producer.sendBatch(new TopicPartition(topic, p), batches.get(p));
        }
      }
    }
  }

  private Process child(Path work, Map<String, String> io, BlockingQueue<String> lines) throws Exception {
    JobRunSpec spec = new JobRunSpec(JOB, Guarantee.EXACTLY_ONCE, work.resolve("log"), work.resolve("checkpoints"),
        2, 200, 500, -1, 3_600_000, 5_000, 0, io);
    return FailoverChild.start(spec, tmp.resolve("child.err"), lines);
  }
}
