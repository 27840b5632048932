package dev.onceflow.kafka.internal;

import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.kafka.KafkaOffsetOutOfRangeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One subtask's reader of a KafkaSource: see {@link dev.onceflow.kafka.KafkaSource} for what it promises. */
public final class KafkaSourceReader<T> implements SourceReader<T> {
  private static final Logger LOG = LoggerFactory.getLogger(KafkaSourceReader.class);
  private static final Duration POLL = Duration.ofMillis(20);

  private final SourceSettings<T> s;
  private final SourceContext ctx;
  private final AtomicLong lost;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Properties consumerProps;
  /** partition -> {next offset, end offset or -1}; the checkpointed position. */
  private final Map<TopicPartition, long[]> positions = new LinkedHashMap<>();
  /** The same partitions' reading state, looked up once per fetched partition batch (not per record). */
  private final Map<TopicPartition, Part> parts = new HashMap<>();
  /** What the last poll fetched and is not emitted yet: its partitions, and the batch of the current one. */
  private Iterator<TopicPartition> fetched = java.util.Collections.emptyIterator();
  private ConsumerRecords<byte[], byte[]> fetchedRecords = ConsumerRecords.empty();
  private List<ConsumerRecord<byte[], byte[]>> batch = List.of();
  private int batchIndex;
  private Part batchPart;
  private long nextDiscoveryMillis;
  private KafkaProducer<byte[], byte[]> dlq;
  private LogDeadLetters logDeadLetters;
  private Map<TopicPartition, Long> deadLettered;

  /** Opens the reader of {@code ctx.subtask()}, at the restored position or at the starting offsets. */
  public KafkaSourceReader(SourceSettings<T> settings, SourceContext ctx, AtomicLong lost) {
    this.s = settings;
    this.ctx = ctx;
    this.lost = lost;
    Properties p = new Properties();
    p.putAll(settings.consumerProperties());
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
    p.putIfAbsent(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    p.putIfAbsent(ConsumerConfig.CLIENT_ID_CONFIG, "onceflow-" + ctx.jobName() + "-source-" + ctx.subtask());
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    // never jump anywhere by itself: an offset out of range is a decision (fail, or skip and count)
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none");
    p.remove(ConsumerConfig.GROUP_ID_CONFIG); // assigned partitions: no group membership, no rebalances
    if (!"read_committed".equals(p.getProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG))) {
      LOG.warn("KafkaSource {}: isolation.level={}: aborted transactional data will enter the pipeline",
          ctx.subtask(), p.getProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG));
    }
    this.consumerProps = p;
    this.consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      if (ctx.restoredPosition().isPresent()) {
        SourcePosition.decode(ctx.restoredPosition().get()).forEach(this::track);
        // looked up before assign(): a ListOffsets answer for an assigned partition becomes the consumer's last stable
        // offset, so the log start would make every partition report lag 0 (idle) while its records are unread
        Map<TopicPartition, Long> starts = consumer.beginningOffsets(positions.keySet());
        Map<TopicPartition, Long> ends = endOffsetsUncommitted(positions.keySet());
        consumer.assign(positions.keySet());
        for (var e : positions.entrySet()) {
          checkRange(e.getKey(), e.getValue(), starts.get(e.getKey()), ends.get(e.getKey()));
        }
        for (var e : positions.entrySet()) {
          consumer.seek(e.getKey(), e.getValue()[0]);
        }
        if (!s.bounded()) {
          discover(); // partitions created while the job was down
        }
      } else {
        Set<TopicPartition> mine = ownedPartitions();
        Map<TopicPartition, Long> start = s.startingOffsets().resolve(consumer, mine, p);
        Map<TopicPartition, Long> ends = s.bounded() ? consumer.endOffsets(mine) : Map.of();
        for (TopicPartition tp : sorted(mine)) {
          track(tp, new long[] {start.get(tp), s.bounded() ? ends.get(tp) : -1});
        }
        consumer.assign(positions.keySet());
        positions.forEach((tp, pos) -> consumer.seek(tp, pos[0]));
      }
      pauseFinished();
      nextDiscoveryMillis = s.clock().millis() + s.partitionDiscovery().toMillis();
      LOG.info("KafkaSource subtask {}/{} of {} reads {} partitions from {}", ctx.subtask(), ctx.parallelism(),
          ctx.jobName(), positions.size(), s.bootstrapServers());
    } catch (RuntimeException e) {
      consumer.close(Duration.ZERO);
      throw e;
    }
  }

  /**
   * One assigned partition: its checkpointed position (the same array as in {@code positions}) and what the watermark
   * needs. Plain fields, so reading a record allocates nothing and boxes nothing.
   */
  private static final class Part {
    final TopicPartition tp;
    final long[] pos;
    boolean hasTimestamp;
    long maxTimestamp;
    boolean hasRecord;
    long lastRecordMillis;

    Part(TopicPartition tp, long[] pos) {
      this.tp = tp;
      this.pos = pos;
    }
  }

  private void track(TopicPartition tp, long[] pos) {
    positions.put(tp, pos);
    parts.put(tp, new Part(tp, pos));
  }

  /** The subtask of {@code parallelism} that reads {@code tp} (as Flink: topics start at spread-out subtasks). */
  public static int owner(TopicPartition tp, int parallelism) {
    int start = ((tp.topic().hashCode() * 31) & 0x7FFFFFFF) % parallelism;
    return (start + tp.partition()) % parallelism;
  }

  private Set<TopicPartition> ownedPartitions() {
    Set<TopicPartition> mine = new HashSet<>();
    for (String topic : topicsNow()) {
      List<PartitionInfo> infos = consumer.partitionsFor(topic);
      if (infos == null || infos.isEmpty()) {
        throw new IllegalArgumentException("KafkaSource: topic '" + topic + "' does not exist on "
            + s.bootstrapServers() + "; create it first");
      }
      for (PartitionInfo pi : infos) {
        TopicPartition tp = new TopicPartition(topic, pi.partition());
        if (owner(tp, ctx.parallelism()) == ctx.subtask()) {
          mine.add(tp);
        }
      }
    }
    return mine;
  }

  private Collection<String> topicsNow() {
    if (s.pattern() == null) {
      return s.topics();
    }
    List<String> out = new ArrayList<>();
    for (String t : consumer.listTopics().keySet()) {
      if (s.pattern().matcher(t).matches()) {
        out.add(t);
      }
    }
    return out;
  }

  private static List<TopicPartition> sorted(Collection<TopicPartition> tps) {
    List<TopicPartition> l = new ArrayList<>(tps);
    l.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    return l;
  }

  private Map<TopicPartition, Long> endOffsetsUncommitted(Collection<TopicPartition> tps) {
    try (KafkaConsumer<byte[], byte[]> c = lookupConsumer("read_uncommitted")) {
      return c.endOffsets(tps);
    }
  }

  /**
   * A consumer for offset lookups once the reading consumer has its partitions: asked for an assigned partition, the
   * reading consumer would take the answer (e.g. the log start) as the partition's last stable offset, and the lag it
   * reports, which decides idleness, would be wrong until the next fetch.
   */
  private KafkaConsumer<byte[], byte[]> lookupConsumer(String isolation) {
    Properties p = new Properties();
    p.putAll(consumerProps);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    p.put(ConsumerConfig.CLIENT_ID_CONFIG, consumerProps.getProperty(ConsumerConfig.CLIENT_ID_CONFIG) + "-lookup");
    return new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
  }

  private void checkRange(TopicPartition tp, long[] pos, long start, long end) {
    long next = pos[0];
    if (next >= start && next <= end) {
      return;
    }
    if (!s.skipLostOffsets() || next > end) {
      throw new KafkaOffsetOutOfRangeException(tp, next, start, end);
    }
    long skipped = start - next;
    lost.addAndGet(skipped);
    LOG.warn("KafkaSource: partition {}: records {}..{} were deleted by retention before they were read; "
        + "skipping {} records as lost (skipLostOffsets)", tp, next, start - 1, skipped);
    pos[0] = start;
    consumer.seek(tp, start);
  }

  private void pauseFinished() {
    List<TopicPartition> done = new ArrayList<>();
    for (var e : positions.entrySet()) {
      if (done(e.getValue())) {
        done.add(e.getKey());
      }
    }
    if (!done.isEmpty()) {
      consumer.pause(done);
    }
  }

  private static boolean done(long[] pos) {
    return pos[1] >= 0 && pos[0] >= pos[1];
  }

  private boolean allDone() {
    for (long[] pos : positions.values()) {
      if (!done(pos)) {
        return false;
      }
    }
    return true;
  }

  @Override
  public ReadStatus poll(SourceOutput<T> output, int maxRecords) throws Exception {
    if (s.bounded() && allDone()) {
      return ReadStatus.END_OF_INPUT;
    }
    maybeDiscover();
    if (positions.isEmpty()) {
      Thread.sleep(POLL.toMillis()); // nothing assigned: idle; keep the runtime loop from spinning
      return ReadStatus.NOTHING_AVAILABLE;
    }
    if (!hasPending()) {
      try {
        fetchedRecords = consumer.poll(POLL);
      } catch (OffsetOutOfRangeException e) {
        outOfRangeWhileRunning(e);
        return ReadStatus.MORE_AVAILABLE;
      }
      fetched = fetchedRecords.partitions().iterator();
    }
    int emitted = 0;
    boolean any = false;
    long now = s.clock().millis();
    while (emitted < maxRecords && (batchIndex < batch.size() || nextBatch())) {
      ConsumerRecord<byte[], byte[]> r = batch.get(batchIndex++);
      any = true;
      Part part = batchPart;
      if (part == null) {
        continue; // a partition no longer assigned
      }
      long[] pos = part.pos;
      if (r.offset() < pos[0] || (pos[1] >= 0 && r.offset() >= pos[1])) {
        continue; // beyond the bounded end, or already read
      }
      pos[0] = r.offset() + 1;
      part.hasRecord = true;
      part.lastRecordMillis = now;
      T value;
      try {
        value = s.decoder().decode(r.value());
      } catch (Exception e) {
        deadLetter(part.tp, r, e);
        output.decodeFailed(part.tp + "@" + r.offset(), e);
        continue;
      }
      output.collect(value, r.timestamp());
      if (!part.hasTimestamp || r.timestamp() > part.maxTimestamp) {
        part.maxTimestamp = r.timestamp();
        part.hasTimestamp = true;
      }
      emitted++;
    }
    if (!hasPending()) {
      // Transaction markers and aborted data move the consumer past the last record returned.
      for (var e : positions.entrySet()) {
        long[] pos = e.getValue();
        long consumerPos = consumer.position(e.getKey());
        long next = pos[1] >= 0 ? Math.min(consumerPos, pos[1]) : consumerPos;
        if (next > pos[0]) {
          pos[0] = next;
        }
      }
      pauseFinished();
    }
    if (s.bounded() && allDone()) {
      return ReadStatus.END_OF_INPUT;
    }
    return any ? ReadStatus.MORE_AVAILABLE : ReadStatus.NOTHING_AVAILABLE;
  }

  /** Moves to the next fetched partition's records; false when the last poll's records are all taken. */
  private boolean nextBatch() {
    while (fetched.hasNext()) {
      TopicPartition tp = fetched.next();
      List<ConsumerRecord<byte[], byte[]>> records = fetchedRecords.records(tp);
      if (!records.isEmpty()) {
        batch = records;
        batchIndex = 0;
        batchPart = parts.get(tp);
        return true;
      }
    }
    batch = List.of();
    batchIndex = 0;
    batchPart = null;
    fetchedRecords = ConsumerRecords.empty();
    return false;
  }

  /** Whether records of the last poll are still to be emitted. */
  private boolean hasPending() {
    return batchIndex < batch.size() || fetched.hasNext();
  }

  private void outOfRangeWhileRunning(OffsetOutOfRangeException e) {
    Set<TopicPartition> tps = e.partitions();
    Map<TopicPartition, Long> starts;
    try (KafkaConsumer<byte[], byte[]> c = lookupConsumer("read_committed")) {
      starts = c.beginningOffsets(tps);
    }
    Map<TopicPartition, Long> ends = endOffsetsUncommitted(tps);
    for (TopicPartition tp : tps) {
      long[] pos = positions.get(tp);
      if (pos != null) {
        checkRange(tp, pos, starts.get(tp), ends.get(tp));
      }
    }
  }

  private void maybeDiscover() {
    if (s.bounded() || s.partitionDiscovery().isZero() || s.clock().millis() < nextDiscoveryMillis) {
      return;
    }
    nextDiscoveryMillis = s.clock().millis() + s.partitionDiscovery().toMillis();
    discover();
  }

  private void discover() {
    Set<TopicPartition> added = new TreeSet<>(
        Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
    try {
      for (TopicPartition tp : ownedPartitions()) {
        if (!positions.containsKey(tp)) {
          added.add(tp);
        }
      }
    } catch (IllegalArgumentException topicGone) {
      LOG.warn("KafkaSource: partition discovery: {}", topicGone.getMessage());
      return;
    }
    if (added.isEmpty()) {
      return;
    }
    Map<TopicPartition, Long> start = consumer.beginningOffsets(added);
    for (TopicPartition tp : added) {
      track(tp, new long[] {start.get(tp), -1});
    }
    consumer.assign(positions.keySet());
    for (TopicPartition tp : added) {
      consumer.seek(tp, start.get(tp));
    }
    LOG.info("KafkaSource subtask {}: discovered new partitions {}, reading them from the earliest offset",
        ctx.subtask(), added);
  }

  private void deadLetter(TopicPartition tp, ConsumerRecord<byte[], byte[]> r, Exception e) throws Exception {
    if (s.deadLetterLog() != null) {
      if (logDeadLetters == null) {
        logDeadLetters = new LogDeadLetters(s.deadLetterLog(), s.deadLetterTopic(), Set.copyOf(positions.keySet()));
      }
      logDeadLetters.write(tp, r, e);
      return;
    }
    if (dlq == null) {
      openDeadLetters();
    }
    Long last = deadLettered.get(tp);
    if (last != null && r.offset() <= last) {
      return; // dead-lettered before a restart: the replay must not repeat it
    }
    ProducerRecord<byte[], byte[]> out = new ProducerRecord<>(s.deadLetterTopic(), null, r.timestamp(), r.key(),
        r.value());
    out.headers().add(new RecordHeader("error", String.valueOf(e).getBytes(StandardCharsets.UTF_8)));
    out.headers().add(new RecordHeader("source", source(tp, r.offset()).getBytes(StandardCharsets.UTF_8)));
    // acknowledged before the next record is read: what deadLetteredBefore() finds after a crash is complete
    dlq.send(out).get(60, TimeUnit.SECONDS);
    deadLettered.put(tp, r.offset());
  }

  private static String source(TopicPartition tp, long offset) {
    return tp.topic() + "-" + tp.partition() + "@" + offset;
  }

  private void openDeadLetters() throws Exception {
    Properties admin = new Properties();
    admin.putAll(s.consumerProperties());
    admin.put("bootstrap.servers", s.bootstrapServers());
    try (Admin a = Admin.create(filter(admin, org.apache.kafka.clients.admin.AdminClientConfig.configNames()))) {
      try {
        a.createTopics(List.of(new NewTopic(s.deadLetterTopic(), java.util.Optional.of(1),
            java.util.Optional.empty()))).all().get(60, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException ex) {
        if (!(ex.getCause() instanceof TopicExistsException)) {
          throw ex;
        }
      }
    }
    Properties p = new Properties();
    p.putAll(filter(s.consumerProperties(), ProducerConfig.configNames()));
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, s.bootstrapServers());
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    dlq = new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
    deadLettered = deadLetteredBefore();
  }

  /** Passes only the properties {@code names} knows (the consumer's properties reused for admin and producer). */
  public static Properties filter(Properties props, Set<String> names) {
    Properties out = new Properties();
    for (String k : props.stringPropertyNames()) {
      if (names.contains(k) || k.startsWith("ssl.") || k.startsWith("sasl.") || k.equals("security.protocol")) {
        out.setProperty(k, props.getProperty(k));
      }
    }
    return out;
  }

  /**
   * The highest offset of each of this reader's partitions already in the dead-letter topic. A partition is read by
   * one subtask at a time, in offset order, and each dead letter is acknowledged before the next record is read, so
   * every bad record at or below that offset is there already.
   */
  private Map<TopicPartition, Long> deadLetteredBefore() {
    Map<TopicPartition, Long> last = new HashMap<>();
    Properties p = new Properties();
    p.putAll(consumerProps);
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(p, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo pi : c.partitionsFor(s.deadLetterTopic())) {
        tps.add(new TopicPartition(s.deadLetterTopic(), pi.partition()));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      Map<TopicPartition, Long> ends = c.endOffsets(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      while (tps.stream().anyMatch(tp -> c.position(tp) < ends.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("KafkaSource: reading dead-letter topic " + s.deadLetterTopic()
              + " took over 120 s");
        }
        for (ConsumerRecord<byte[], byte[]> d : c.poll(POLL)) {
          var h = d.headers().lastHeader("source");
          if (h == null) {
            continue;
          }
          String src = new String(h.value(), StandardCharsets.UTF_8);
          int at = src.lastIndexOf('@');
          int dash = at < 0 ? -1 : src.lastIndexOf('-', at);
          if (dash <= 0) {
            continue;
          }
          try {
            TopicPartition tp = new TopicPartition(src.substring(0, dash), Integer.parseInt(src.substring(dash + 1, at)));
            if (positions.containsKey(tp)) {
              last.merge(tp, Long.parseLong(src.substring(at + 1)), Math::max);
            }
          } catch (NumberFormatException notOurs) {
            // a "source" header someone else wrote
          }
        }
      }
    }
    return last;
  }

  @Override
  public byte[] snapshotPosition() {
    return SourcePosition.encode(positions);
  }

  /** Every partition of {@code position} is read up to its offset there (a partition not assigned here has none). */
  @Override
  public boolean hasReached(byte[] position) {
    for (var e : SourcePosition.decode(position).entrySet()) {
      long[] mine = positions.get(e.getKey());
      if (mine != null && mine[0] < e.getValue()[0]) {
        return false;
      }
    }
    return true;
  }

  @Override
  public long currentWatermark() {
    if (positions.isEmpty()) {
      return Long.MAX_VALUE;
    }
    long now = s.clock().millis();
    long min = Long.MAX_VALUE;
    for (Part p : parts.values()) {
      if (done(p.pos)) {
        continue;
      }
      boolean idle = caughtUp(p.tp, p.pos)
          || (s.idleness() != null && p.hasRecord && now - p.lastRecordMillis >= s.idleness().toMillis());
      if (idle) {
        continue;
      }
      if (!p.hasTimestamp) {
        return HOLD_BACK; // data may wait in a partition not read yet: its timestamps are unknown
      }
      min = Math.min(min, p.maxTimestamp);
    }
    return min == Long.MAX_VALUE ? Long.MIN_VALUE : min;
  }

  /**
   * Whether {@code tp} has nothing more to read now. Bounded: never while short of its end (the end is known, so a
   * partition not done has records to come). Unbounded: no lag at the consumer's position and nothing returned by the
   * last poll still to be emitted.
   */
  private boolean caughtUp(TopicPartition tp, long[] pos) {
    if (pos[1] >= 0 || hasPending()) {
      return false;
    }
    OptionalLong lag = consumer.currentLag(tp);
    return lag.isPresent() && lag.getAsLong() == 0;
  }

  @Override
  public void close() {
    // ZERO: with time to spare, close() sends the broker a request to close the fetch session, which queues behind the
    // fetch the broker is holding open for up to fetch.max.wait.ms (500 ms by default) and waits for it: measured as
    // 300-470 ms at the end of every bounded job. Nothing is lost without it: positions live in Onceflow's
    // checkpoints, never in the consumer, and the broker evicts the unused session from its cache by itself.
    consumer.close(Duration.ZERO);
    if (logDeadLetters != null) {
      logDeadLetters.close();
    }
    if (dlq != null) {
      dlq.close(Duration.ofSeconds(5));
    }
  }
}
