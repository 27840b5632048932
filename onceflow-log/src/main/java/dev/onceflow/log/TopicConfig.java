package dev.onceflow.log;

/**
 * Configuration of one topic, fixed at creation. Build with {@link #builder()} or {@link #partitions(int)}.
 *
 * @param partitions number of partitions, at least 1
 * @param retentionBytes per-partition size above which the oldest sealed segments are deleted; -1 = unlimited
 * @param retentionMs age (by the newest timestamp in a segment) above which sealed segments are deleted; -1 = forever
 * @param segmentBytes size at which the active segment is sealed and a new one started
 * @param retentionIgnoresConsumerGroups if false (default) retention never deletes a segment holding offsets at or
 *     after any consumer group's committed offset for that partition; if true it deletes regardless
 */
public record TopicConfig(
    int partitions, long retentionBytes, long retentionMs, int segmentBytes, boolean retentionIgnoresConsumerGroups) {

  /** Default segment size: 64 MiB. */
  public static final int DEFAULT_SEGMENT_BYTES = 64 << 20;

  /** Validates every field and names the bad one. */
  public TopicConfig {
    if (partitions < 1 || partitions > 10_000) {
      throw new IllegalArgumentException("TopicConfig.partitions must be in [1, 10000], was " + partitions);
    }
    if (retentionBytes < -1 || retentionBytes == 0) {
      throw new IllegalArgumentException("TopicConfig.retentionBytes must be -1 (unlimited) or > 0, was " + retentionBytes);
    }
    if (retentionMs < -1 || retentionMs == 0) {
      throw new IllegalArgumentException("TopicConfig.retentionMs must be -1 (forever) or > 0, was " + retentionMs);
    }
    if (segmentBytes < 1024) {
      throw new IllegalArgumentException("TopicConfig.segmentBytes must be >= 1024, was " + segmentBytes);
    }
  }

  /** A topic with this many partitions and default settings (no retention limits, 64 MiB segments). */
  public static TopicConfig partitions(int partitions) {
    return builder().partitions(partitions).build();
  }

  /** A builder with defaults: 1 partition, unlimited retention, 64 MiB segments. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a validated {@link TopicConfig}. */
  public static final class Builder {
    private int partitions = 1;
    private long retentionBytes = -1;
    private long retentionMs = -1;
    private int segmentBytes = DEFAULT_SEGMENT_BYTES;
    private boolean retentionIgnoresConsumerGroups;

    private Builder() {}

    /** Number of partitions. */
    public Builder partitions(int n) {
      this.partitions = n;
      return this;
    }

    /** Per-partition size limit in bytes, -1 for unlimited. */
    public Builder retentionBytes(long bytes) {
      this.retentionBytes = bytes;
      return this;
    }

    /** Age limit in milliseconds, -1 for forever. */
    public Builder retentionMs(long ms) {
      this.retentionMs = ms;
      return this;
    }

    /** Segment size in bytes. */
    public Builder segmentBytes(int bytes) {
      this.segmentBytes = bytes;
      return this;
    }

    /** Whether retention may delete data a consumer group has not committed past yet. */
    public Builder retentionIgnoresConsumerGroups(boolean ignore) {
      this.retentionIgnoresConsumerGroups = ignore;
      return this;
    }

    /** The validated configuration. */
    public TopicConfig build() {
      return new TopicConfig(partitions, retentionBytes, retentionMs, segmentBytes, retentionIgnoresConsumerGroups);
    }
  }
}
