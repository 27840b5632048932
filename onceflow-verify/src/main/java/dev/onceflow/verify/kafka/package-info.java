/**
 * The verifier on Apache Kafka ({@code verify --io kafka}): the input produced to a Kafka topic, the children reading
 * it with {@code KafkaSource} and writing with {@code KafkaSink}, the output read {@code read_committed}.
 */
package dev.onceflow.verify.kafka;
