package dev.onceflow.verify.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.Checker;
import dev.onceflow.verify.ChildIo;
import dev.onceflow.verify.FailoverChild;
import dev.onceflow.verify.InputLayout;
import dev.onceflow.verify.InputStore;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.JobInputs;
import dev.onceflow.verify.JobRunSpec;
import dev.onceflow.verify.OutputRecord;
import dev.onceflow.verify.OutputStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The zombie run on Kafka: the ledger pipeline (Kafka topic to Kafka topic, transactional sink) is SIGSTOPped
 * mid-run; a successor takes over from a copy of its log and checkpoint directories (a failover: on one machine the
 * log's directory lock would refuse a second process on the same directories, so only Kafka's fencing is left to
 * stop the zombie) under the same pipeline and sink names, and finishes; the checker finds the output exact. Then the
 * zombie is resumed (SIGCONT): its transactional producers were fenced by the successor (same transactional ids,
 * Admin fenceProducers at the successor's start), so its transactions fail with a fencing error, the job fails, and
 * nothing of it becomes visible read_committed.
 */
class KafkaZombieFailoverTest {
  private static final Job JOB = Job.LEDGER;
  private static final long EVENTS = 20_000;
  private static final int PARTITIONS = 4;

  @TempDir Path tmp;

  @Test
  void aResumedZombieIsFencedAndChangesNothing() throws Exception {
    Path work = tmp.resolve("work");
    Path copy = tmp.resolve("failover");
    Files.createDirectories(work);
    IoOptions io = TestBroker.io();
    try (InputStore in = KafkaIo.input(io, work.resolve("log"));
        OutputStore out = KafkaIo.output(io, work.resolve("log"))) {
      in.write(JOB, PARTITIONS, InputLayout.ROUND_ROBIN, false, JobInputs.generate(JOB, EVENTS));
      out.create(JOB, PARTITIONS);
      Map<String, String> settings = new TreeMap<>(in.childSettings());
      settings.putAll(out.childSettings());
      settings.put(ChildIo.INPUT, KafkaIo.NAME);
      settings.put(ChildIo.OUTPUT, KafkaIo.NAME);
      BlockingQueue<String> zombieLines = new LinkedBlockingQueue<>();
      Process zombie = child(work, settings, zombieLines, "zombie.err");
      try {
        FailoverChild.awaitCommits(zombieLines, 4, 120_000);
        FailoverChild.signal(zombie, "STOP");
        assertTrue(zombie.isAlive() && !zombieLines.contains("FINISHED"),
            "the first process must be stopped mid-run, not finished");
        FailoverChild.copyTree(work.resolve("log"), copy.resolve("log"));
        FailoverChild.copyTree(work.resolve("checkpoints"), copy.resolve("checkpoints"));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        Process successor = child(copy, settings, lines, "successor.err");
        assertTrue(successor.waitFor(240, TimeUnit.SECONDS), "the successor finishes");
        assertEquals(0, successor.exitValue(), () -> stderr("successor.err"));
        List<OutputRecord> afterSuccessor = out.readCommitted(JOB);
        CheckResult alone = Checker.check(JOB, EVENTS, PARTITIONS, afterSuccessor);
        assertTrue(alone.exact(), "the successor alone is exact: " + alone);

        FailoverChild.signal(zombie, "CONT");
        assertTrue(zombie.waitFor(240, TimeUnit.SECONDS), "the resumed zombie ends");
        String err = stderr("zombie.err");
        assertNotEquals(0, zombie.exitValue(), "the resumed zombie must fail, not finish: " + zombieLines);
        assertTrue(err.contains("was taken over by another producer") || err.contains("ProducerFencedException")
            || err.contains("InvalidProducerEpochException"), "the zombie must fail on Kafka's fencing: " + err);
        List<OutputRecord> after = out.readCommitted(JOB);
        assertEquals(afterSuccessor.size(), after.size(), "the resumed zombie's output became visible");
        assertEquals(afterSuccessor, after, "the resumed zombie changed the output");
        CheckResult end = Checker.check(JOB, EVENTS, PARTITIONS, after);
        assertTrue(end.exact(), "exact after the zombie: " + end);
        assertEquals(0, out.lingeringTransactions(), "no transaction of the zombie is left open");
        String fencing = err.lines().filter(l -> l.contains("taken over") || l.contains("Fenced")
            || l.contains("InvalidProducerEpoch")).findFirst().orElse("");
        System.out.println("kafka zombie failover: the resumed zombie exited " + zombie.exitValue() + " (" + fencing
            + "); output exact (" + after.size() + " records)");
      } finally {
        zombie.destroyForcibly();
        zombie.waitFor();
      }
    }
  }

  private Process child(Path work, Map<String, String> io, BlockingQueue<String> lines, String errFile)
      throws Exception {
    // paced (2,000 records/s in total: ~10 s for the input) so that the zombie is stopped mid-run
    return FailoverChild.start(new JobRunSpec(JOB, Guarantee.EXACTLY_ONCE, work.resolve("log"),
        work.resolve("checkpoints"), 2, 200, 500, -1, 3_600_000, 2_000, 0, io), tmp.resolve(errFile), lines);
  }

  private String stderr(String file) {
    try {
      return Files.readString(tmp.resolve(file));
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
