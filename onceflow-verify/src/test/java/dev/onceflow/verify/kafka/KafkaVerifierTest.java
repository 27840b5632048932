package dev.onceflow.verify.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import dev.onceflow.verify.CrashSchedule;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.Nemeses;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier on Kafka: every job under every guarantee, Kafka topic to Kafka topic, the pipeline JVM SIGKILLed
 * several times; the output read read_committed must keep the promise. One broker shared by the Kafka verifier tests (each verification
 * has its own topic and transactional-id prefix).
 */
class KafkaVerifierTest {
  /** The single-output jobs (orders and payments-limits have their own tests). */
  static final Job[] FOUR_JOBS = {Job.LEDGER, Job.TAG_COUNT, Job.PAYMENTS, Job.CLICKS};

  static LocalKafkaBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = TestBroker.get();
  }


  static IoOptions kafka() throws Exception {
    return TestBroker.io();
  }

  static Stream<Arguments> jobsAndGuarantees() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Job j : FOUR_JOBS) {
      for (Guarantee g : Guarantee.values()) {
        b.add(Arguments.of(j, g));
      }
    }
    return b.build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("jobsAndGuarantees")
  void killedJobOnKafkaKeepsItsPromise(Job job, Guarantee g) throws Exception {
    long seed = 2000 + job.ordinal() * 10L + g.ordinal();
    // paced so that one pass lasts ~2.7 s: on a quiet machine the auto pace (>= 5,000/s) let the job finish after
    // one kill
    VerifyResult r = Verifier.run(VerifyOptions.of(job, g, 4_000, 3, seed).withIo(kafka())
        .withRecordsPerSecond(1_500).withWorkDir(tmp.resolve("work")));
    System.out.println("verify kafka " + r.toJson());
    assertTrue(r.crashes() >= 2, "only " + r.crashes() + " kills happened: " + r.kills());
    assertEquals(r.crashes(), r.processRestarts());
    assertTrue(r.promiseHeld(), () -> "promise broken: " + r.toJson() + " " + r.check().problems());
  }

  /**
   * Mutation: a Kafka sink that commits on the barrier, before the checkpoint completed. Kills right after a prepare
   * (its early commit done, the checkpoint not complete) make the next run replay output already visible.
   */
  @Test
  void aSinkCommittingBeforeTheCheckpointCompletedIsCaught() throws Exception {
    CrashSchedule schedule = new CrashSchedule(List.of(
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 0.2, 3, 0, CrashSchedule.Action.KILL),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 0.5, 3, 0, CrashSchedule.Action.KILL),
        new CrashSchedule.Trigger(CrashSchedule.Kind.PREPARED, 0.8, 3, 0, CrashSchedule.Action.KILL)));
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.LEDGER, Guarantee.EXACTLY_ONCE, 8_000, 3, 5).withIo(kafka())
        .withRecordsPerSecond(2_000).withChildMainClass(KafkaEarlyCommitChild.class.getName())
        .withWorkDir(tmp.resolve("work")), schedule, line -> {});
    System.out.println("verify kafka early commit " + r.toJson());
    assertTrue(r.crashes() >= 2, r.kills()::toString);
    assertTrue(r.check().duplicated() > 0 || r.check().stateDuplicated() > 0, r::toJson);
    assertFalse(r.check().exact());
    assertFalse(r.promiseHeld(), r::toJson);
  }

  /**
   * The broker SIGKILLed mid-run (after the first run's third completed checkpoint) and restarted on the same
   * directory and port, while the pipeline runs; the pipeline is also killed twice. Injected faults give the child
   * in-process restarts, so an attempt that fails during the outage restarts instead of failing the run.
   */
  @Test
  void aBrokerKilledMidRunLosesAndDuplicatesNothing() throws Exception {
    AtomicInteger checkpoints = new AtomicInteger();
    AtomicBoolean finishedBeforeKill = new AtomicBoolean();
    AtomicBoolean finished = new AtomicBoolean();
    CompletableFuture<Void> restarted = new CompletableFuture<>();
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.LEDGER, Guarantee.EXACTLY_ONCE, 10_000, 2, 11).withIo(kafka())
        .withRecordsPerSecond(2_000).withFaults(true).withWorkDir(tmp.resolve("work")), line -> {
          if (line.equals("FINISHED")) {
            finished.set(true);
          }
          if (line.startsWith("CHECKPOINT") && checkpoints.incrementAndGet() == 3) {
            finishedBeforeKill.set(finished.get());
            Thread t = new Thread(() -> {
              try {
                broker.kill();
                broker.start(); // same directory, same port
                restarted.complete(null);
              } catch (Throwable e) {
                restarted.completeExceptionally(e);
              }
            }, "broker-kill");
            t.start();
          }
        });
    restarted.get(5, TimeUnit.MINUTES);
    System.out.println("verify kafka broker kill " + r.toJson());
    assertFalse(finishedBeforeKill.get(), "the broker was killed after the job finished");
    assertTrue(r.promiseHeld(), () -> r.toJson() + " " + r.check().problems());
    assertTrue(r.check().exact(), r::toJson);
  }

  /**
   * Zombies and rescaling: twice the running child is SIGSTOPped, a second instance started on the same directories
   * and the first continued (it must be refused, or the first fenced); every restart runs at another parallelism.
   */
  @Test
  void frozenZombiesAndRescalesKeepExactlyOnce() throws Exception {
    VerifyResult r = Verifier.run(VerifyOptions.of(Job.LEDGER, Guarantee.EXACTLY_ONCE, 8_000, 2, 21).withIo(kafka())
        .withRecordsPerSecond(2_000).withNemeses(Nemeses.NONE.withFreezes(2).withRescale(true))
        .withWorkDir(tmp.resolve("work")));
    System.out.println("verify kafka zombies " + r.toJson());
    List<NemesisEvent> freezes = r.events().stream().filter(e -> e.nemesis().equals("freeze")).toList();
    assertEquals(2, freezes.size(), r::toJson);
    assertTrue(r.events().stream().allMatch(NemesisEvent::held), r::toJson);
    assertTrue(r.promiseHeld(), () -> r.toJson() + " " + r.check().problems());
    assertTrue(r.check().exact(), r::toJson);
  }
}
