package dev.onceflow.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.onceflow.kafka.internal.ProducerResume;
import org.apache.kafka.common.utils.AppInfoParser;
import org.junit.jupiter.api.Test;

/**
 * The sink resumes prepared transactions by reflection on kafka-clients' TransactionManager. This test fails when the
 * client version changes or a field used there changes: re-check {@link ProducerResume} before changing the pin (the
 * resume itself is exercised against the broker in KafkaSinkTest and the kill tests).
 */
class KafkaInternalsTest {
  @Test
  void theClientIsThePinnedVersionAndTheReflectedFieldsAreThere() throws Exception {
    assertEquals("4.1.1", AppInfoParser.getVersion(), "kafka-clients version changed: re-check ProducerResume");
    ProducerResume.verifyLayout();
  }
}
