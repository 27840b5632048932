package dev.onceflow.verify.kafka;

import dev.onceflow.kafka.broker.LocalKafkaBroker;
import dev.onceflow.verify.IoOptions;
import java.nio.file.Files;
import java.util.Map;

/**
 * The broker the Kafka verifier tests share: one real broker per test JVM (started on first use, killed at exit), so
 * its start is paid once. Every verification has its own topic and transactional-id prefix; a test that kills the
 * broker restarts it (same directory and port) before it ends.
 */
final class TestBroker {
  private static LocalKafkaBroker shared;

  private TestBroker() {}

  static synchronized LocalKafkaBroker get() throws Exception {
    if (shared == null) {
      LocalKafkaBroker b = LocalKafkaBroker.create(Files.createTempDirectory("onceflow-verify-kafka-"),
          System.getProperty("java.class.path"), 0, Map.of());
      b.start();
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          b.kill();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      shared = b;
    }
    return shared;
  }

  /** Input and output on the shared broker. */
  static IoOptions io() throws Exception {
    return IoOptions.LOG.withInput(KafkaIo.NAME).withOutput(KafkaIo.NAME)
        .with(KafkaIo.BOOTSTRAP_SERVERS, get().bootstrapServers());
  }
}
