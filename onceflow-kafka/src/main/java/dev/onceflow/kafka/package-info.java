/**
 * Apache Kafka connectors for Onceflow: {@link dev.onceflow.kafka.KafkaSource} (partitions assigned by Onceflow,
 * offsets in Onceflow checkpoints) and {@link dev.onceflow.kafka.KafkaSink} (plain, flushed, or one Kafka
 * transaction per subtask per checkpoint). See the module README for what each guarantee promises.
 */
package dev.onceflow.kafka;
