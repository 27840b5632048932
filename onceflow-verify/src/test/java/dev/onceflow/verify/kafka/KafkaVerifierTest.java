package dev.onceflow.verify.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The verifier on Kafka: every job under every guarantee, Kafka topic to Kafka topic, the pipeline JVM SIGKILLed
 * several times; the output read read_committed must keep the promise. One broker for the class (each verification
 * has its own topic and transactional-id prefix).
 */
class KafkaVerifierTest {
  static LocalKafkaBroker broker;

  @TempDir Path tmp;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = LocalKafkaBroker.create(Files.createTempDirectory("onceflow-verify-kafka-"),
        System.getProperty("java.class.path"), 0, Map.of());
    broker.start();
  }

  @AfterAll
  static void stopBroker() throws Exception {
    if (broker != null) {
      broker.stop();
    }
  }

  static IoOptions kafka() {
    return IoOptions.LOG.withInput(KafkaIo.NAME).withOutput(KafkaIo.NAME)
        .with(KafkaIo.BOOTSTRAP_SERVERS, broker.bootstrapServers());
  }

  static Stream<Arguments> jobsAndGuarantees() {
    Stream.Builder<Arguments> b = Stream.builder();
    for (Job j : Job.values()) {
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
    VerifyResult r = Verifier.run(VerifyOptions.of(job, g, 4_000, 3, seed).withIo(kafka())
        .withWorkDir(tmp.resolve("work")));
    System.out.println("verify kafka " + r.toJson());
    assertTrue(r.crashes() >= 2, "only " + r.crashes() + " kills happened: " + r.kills());
    assertEquals(r.crashes(), r.processRestarts());
    assertTrue(r.promiseHeld(), () -> "promise broken: " + r.toJson() + " " + r.check().problems());
  }
}
