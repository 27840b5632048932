package dev.onceflow.kafka.internal;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.connector.Encoder;
import java.time.Clock;
import java.time.Duration;
import java.util.Properties;
import java.util.function.Function;

/**
 * What a built KafkaSink is configured with.
 *
 * @param bootstrapServers the cluster
 * @param topicOf the topic of each record
 * @param keyEncoder the key of each record (null = no key)
 * @param valueEncoder the value of each record
 * @param guarantee what the sink provides
 * @param producerProperties pass-through producer properties
 * @param transactionalIdPrefix prefix of the transactional ids (null = derived from pipeline and sink names)
 * @param transactionTimeout transaction.timeout.ms of the transactional producers
 * @param producersPerSubtask transactional ids per subtask
 * @param markerRetention retention of the marker topic
 * @param clock wall clock recorded in tokens
 */
public record SinkSettings<T>(
    String bootstrapServers,
    Function<? super T, String> topicOf,
    Encoder<? super T> keyEncoder,
    Encoder<? super T> valueEncoder,
    Guarantee guarantee,
    Properties producerProperties,
    String transactionalIdPrefix,
    Duration transactionTimeout,
    int producersPerSubtask,
    Duration markerRetention,
    Clock clock) {

  /** Producer properties: the user's, then the cluster address. */
  public Properties baseProducer(String clientId) {
    Properties p = new Properties();
    p.putAll(producerProperties);
    p.put("bootstrap.servers", bootstrapServers);
    p.putIfAbsent("client.id", clientId);
    return p;
  }

  /** Admin client properties: the security and connection settings among the user's, then the cluster address. */
  public Properties admin() {
    Properties p = KafkaSourceReader.filter(producerProperties,
        org.apache.kafka.clients.admin.AdminClientConfig.configNames());
    p.put("bootstrap.servers", bootstrapServers);
    return p;
  }
}
