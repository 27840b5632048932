package dev.onceflow.examples;

import dev.onceflow.core.Pipeline;
import java.nio.file.Path;

/**
 * An example that also runs Kafka topic to Kafka topic: {@code ./onceflow example NAME --kafka HOST:PORT}. The same
 * logic as {@link Example#pipeline}, with a {@code KafkaSource} and a {@code KafkaSink} (onceflow-kafka) in place of
 * the log's source and sink.
 */
public interface OnKafka extends Example {
  /**
   * The pipeline reading {@code kafka.topic(inputTopic())} to its end and writing {@code kafka.topic(outputTopic())},
   * with its checkpoints in {@code checkpointDir}.
   */
  Pipeline pipeline(KafkaTopics kafka, Path checkpointDir);

  /**
   * Where on a Kafka cluster an example runs: its servers, and the prefix of its topics and transactional ids (one
   * per example directory, so that runs in other directories on the same cluster never meet).
   *
   * @param bootstrapServers the cluster
   * @param prefix prepended to every topic name and transactional id
   */
  record KafkaTopics(String bootstrapServers, String prefix) {
    /** The cluster's name of the example's topic {@code name}. */
    public String topic(String name) {
      return prefix + name;
    }
  }
}
