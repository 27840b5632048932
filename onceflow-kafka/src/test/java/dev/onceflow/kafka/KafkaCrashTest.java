package dev.onceflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.testing.ChildJvm;
import dev.onceflow.core.testing.Expectations;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Real crashes, Kafka to Kafka: a child JVM runs a keyed count from a Kafka topic into a Kafka topic and is SIGKILLed
 * at seeded moments taken from its own progress output (records read, transaction prepared, checkpoint completed,
 * sink committed) and, under EXACTLY_ONCE, inside the commit of a completed checkpoint (the trap: the next process
 * must commit it). It is restarted on the same checkpoint directory until it finishes; the output, read
 * read_committed, must then keep the guarantee. The mutation run (commit on the barrier, before the checkpoint
 * completed) must be caught.
 */
class KafkaCrashTest {
  private static final long N = 12_000;

  @TempDir Path tmp;

  private static ChildJvm child(List<String> args, Path stderr) throws java.io.IOException {
    return ChildJvm.start(KafkaCrashChild.class, List.of("-XX:+UseSerialGC",
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", "-Dorg.slf4j.simpleLogger.log.org.apache.kafka=warn"),
        args, stderr);
  }

  /** A run plan: where to kill. */
  private record Kill(String line, int countdown, String mode) {}

  /** Runs the job to its end with {@code kills} kills; returns the committed output. */
  private List<String> runWithKills(Path dir, Guarantee g, List<Kill> kills) throws Exception {
    return runWithKills(dir, g, kills, null);
  }

  /**
   * The same on {@code broker} (null = the shared one); a kill whose mode is {@code broker} SIGKILLs and restarts the
   * broker instead of the pipeline (a pipeline that fails meanwhile is restarted like a killed one).
   */
  private List<String> runWithKills(Path dir, Guarantee g, List<Kill> kills, LocalKafkaBroker broker)
      throws Exception {
    Files.createDirectories(dir);
    String bootstrap = broker == null ? TestKafka.bootstrap() : broker.bootstrapServers();
    String in = TestKafka.topic(bootstrap, "crash-in", 3);
    String out = TestKafka.topic(bootstrap, "crash-out", 2);
    List<String> input = new ArrayList<>();
    for (long i = 0; i < N; i++) {
      input.add(Long.toString(i));
    }
    TestKafka.produce(bootstrap, in, input);
    Path ckpt = dir.resolve("ckpt");
    Path stderr = dir.resolve("child.err");
    int killed = 0;
    boolean brokerFailed = false;
    for (int run = 0; ; run++) {
      assertTrue(run < kills.size() + 10, "the job did not finish after " + run + " runs; see " + stderr);
      Kill k = killed < kills.size() ? kills.get(killed) : null;
      String mode = k == null ? "run" : k.mode();
      int countdown = k == null ? 0 : k.countdown();
      boolean brokerKill = mode.equals("broker");
      try (ChildJvm child = child(List.of(bootstrap, in, out, ckpt.toString(), g.name(), brokerKill ? "run" : mode),
          stderr)) {
        while (true) {
          String line = child.next();
          if (line == null && brokerFailed) {
            brokerFailed = false; // the pipeline gave up during the broker outage: restart it
            break;
          }
          if (line == null) {
            throw new AssertionError("child exited with " + child.waitFor() + " before finishing; stderr:\n"
                + child.stderrTail());
          }
          if (line.equals("FINISHED")) {
            assertEquals(0, child.waitFor());
            assertEquals(kills.size(), killed, "the job finished before every planned kill happened");
            return TestKafka.readCommitted(bootstrap, out);
          }
          if (brokerKill && line.startsWith(k.line()) && --countdown <= 0) {
            broker.kill();
            broker.start();
            killed++;
            k = killed < kills.size() ? kills.get(killed) : null;
            countdown = k == null ? 0 : k.countdown();
            brokerKill = k != null && k.mode().equals("broker");
            brokerFailed = true;
            continue;
          }
          if (k != null && !brokerKill && !k.mode().equals("broker") && line.startsWith(k.line())
              && --countdown <= 0) {
            child.kill();
            killed++;
            break;
          }
        }
      }
    }
  }

  private static List<Kill> plan(Guarantee g, long seed, int n) {
    Random r = new Random(seed);
    List<Kill> kills = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (g == Guarantee.EXACTLY_ONCE && i % 3 == 0) {
        // the trap: checkpoint completed, its commit not sent yet; the next process must commit it
        kills.add(new Kill("COMMITTING", 1, "hang-commit:" + (2 + r.nextInt(6))));
      } else {
        List<String> kinds = g == Guarantee.EXACTLY_ONCE
            ? List.of("READ", "PREPARED", "CKPT", "COMMITTED") : List.of("READ", "CKPT");
        kills.add(new Kill(kinds.get(r.nextInt(kinds.size())), 1 + r.nextInt(4), "run"));
      }
    }
    return kills;
  }

  private static void check(Guarantee g, List<String> out) {
    switch (g) {
      case EXACTLY_ONCE -> Expectations.assertExactlyOnce(out, N, i -> i % KafkaCrashChild.KEYS);
      case AT_LEAST_ONCE -> Expectations.assertNothingMissing(out, N);
      case AT_MOST_ONCE -> Expectations.assertNothingDuplicated(out);
    }
  }

  @ParameterizedTest
  @EnumSource(Guarantee.class)
  void killedAndRestartedKafkaPipelineKeepsItsGuarantee(Guarantee g) throws Exception {
    int kills = g == Guarantee.EXACTLY_ONCE ? 5 : 3;
    check(g, runWithKills(tmp.resolve(g.name()), g, plan(g, 4242 + g.ordinal(), kills)));
    if (g == Guarantee.EXACTLY_ONCE) {
      // the trap was really taken: a later process committed a transaction an earlier one had prepared
      String log = Files.readString(tmp.resolve(g.name()).resolve("child.err"));
      assertTrue(log.contains("prepared before the restart"), "no transaction was committed by a later process");
    }
  }

  @Test
  void committingBeforeTheCheckpointCompletedIsCaught() throws Exception {
    List<Kill> kills = List.of(new Kill("PREPARED", 2, "mutation"), new Kill("PREPARED", 3, "mutation"));
    List<String> out = runWithKills(tmp.resolve("mutation"), Guarantee.EXACTLY_ONCE, kills);
    AssertionError caught = assertThrows(AssertionError.class, () -> check(Guarantee.EXACTLY_ONCE, out));
    assertTrue(caught.getMessage().contains("effects"), caught.getMessage());
  }

  @Test
  void aBrokerKilledAndRestartedMidRunLosesAndDuplicatesNothing(@TempDir Path brokerDir) throws Exception {
    try (LocalKafkaBroker broker = LocalKafkaBroker.create(brokerDir, System.getProperty("java.class.path"), 0,
        java.util.Map.of())) {
      broker.start();
      // the broker dies mid-run and comes back; then the pipeline is killed too, so its recovery runs against the
      // restarted broker
      List<Kill> kills = List.of(new Kill("CKPT", 2, "broker"), new Kill("CKPT", 2, "run"));
      check(Guarantee.EXACTLY_ONCE, runWithKills(tmp.resolve("broker-kill"), Guarantee.EXACTLY_ONCE, kills, broker));
    }
  }

  @Tag("soak")
  @Test
  void soakExactlyOnceWithManyKills() throws Exception {
    for (int round = 0; round < 10; round++) {
      check(Guarantee.EXACTLY_ONCE, runWithKills(tmp.resolve("soak-" + round), Guarantee.EXACTLY_ONCE,
          plan(Guarantee.EXACTLY_ONCE, System.nanoTime(), 30)));
    }
  }
}
