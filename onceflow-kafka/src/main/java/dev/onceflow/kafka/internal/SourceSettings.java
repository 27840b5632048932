package dev.onceflow.kafka.internal;

import dev.onceflow.core.connector.Decoder;
import dev.onceflow.kafka.StartingOffsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import java.util.regex.Pattern;

/**
 * What a built source is configured with (package-internal carrier for the reader).
 *
 * @param bootstrapServers the cluster
 * @param topics topics to read (empty when {@code pattern} is set)
 * @param pattern topics to read by name pattern, or null
 * @param decoder value decoder
 * @param consumerProperties pass-through consumer properties
 * @param startingOffsets where a fresh start begins
 * @param bounded stop at the end offsets seen at the first start
 * @param skipLostOffsets skip and count records lost to retention instead of failing
 * @param deadLetterTopic the topic for undecodable records
 * @param deadLetterLog the embedded log the dead-letter topic is in, or null for Kafka
 * @param idleness a partition with no record for this long is idle (null = only when it has no lag)
 * @param partitionDiscovery how often to look for new partitions (zero = never)
 * @param clock time source for idleness and discovery
 * @param commitGroup consumer group to commit completed checkpoints' offsets to (monitoring), or null
 */
public record SourceSettings<T>(
    String bootstrapServers,
    List<String> topics,
    Pattern pattern,
    Decoder<T> decoder,
    Properties consumerProperties,
    StartingOffsets startingOffsets,
    boolean bounded,
    boolean skipLostOffsets,
    String deadLetterTopic,
    dev.onceflow.log.Log deadLetterLog,
    Duration idleness,
    Duration partitionDiscovery,
    Clock clock,
    String commitGroup) {}
