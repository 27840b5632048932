package dev.onceflow.cli;

import dev.onceflow.core.Collector;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.JobListener;
import dev.onceflow.core.JobStatus;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.connector.Decoder;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * End-to-end latency of committed output: a paced producer writes records carrying their creation time into an input
 * topic, an EXACTLY_ONCE log-to-log pipeline (keyBy + pass-through, transactional sink) copies them to an output topic,
 * and a read-committed consumer records {@code now - created} when each record becomes visible.
 */
final class LatencyBenchmark {
  /** The producer sends one batch per this many nanoseconds (small batches, like a steady upstream). */
  static final long BATCH_INTERVAL_NANOS = 2_000_000L;

  /** Parameters of one run. */
  record Config(long events, long rate, long checkpointIntervalMs, int parallelism, int partitions,
      double warmupFraction, Duration timeout) {}

  /** What one run measured; latencies in milliseconds over the events after the warm-up. */
  record Result(long events, long seen, long measured, double p50Ms, double p99Ms, double p999Ms, double maxMs,
      double seconds, double producerMaxLagMs, long commits, Phases phases) {}

  /**
   * Where the completed checkpoints' time went (milliseconds; median, p90 and max over the checkpoints of the run): an
   * output record becomes visible one interval plus about one checkpoint's duration after it was read, so these are
   * what the latency above the interval is made of.
   */
  record Phases(int checkpoints, double[] durationMs, double[] acknowledgeMs, double[] barrierStartMs,
      double[] alignmentMs, double[] syncSnapshotMs, double[] snapshotWriteMs, double[] metadataWriteMs,
      double[] sinkCommitMs) {
    /** Writes the checkpoint count and each phase as [median, p90, max] ms into {@code o}. */
    void writeJson(com.fasterxml.jackson.databind.node.ObjectNode o) {
      o.put("checkpoints", checkpoints);
      String[] names = {"duration", "acknowledge", "barrier_start", "alignment", "sync_snapshot", "snapshot_write",
          "metadata_write", "sink_commit"};
      double[][] values = {durationMs, acknowledgeMs, barrierStartMs, alignmentMs, syncSnapshotMs, snapshotWriteMs,
          metadataWriteMs, sinkCommitMs};
      for (int i = 0; i < names.length; i++) {
        var a = o.putArray(names[i]);
        for (double v : values[i]) {
          a.add(v);
        }
      }
    }

    static Phases of(List<dev.onceflow.core.metrics.CheckpointStats> stats) {
      List<dev.onceflow.core.metrics.CheckpointStats> done = stats.stream()
          .filter(dev.onceflow.core.metrics.CheckpointStats::completed).toList();
      return new Phases(done.size(),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::durationNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::acknowledgeNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::barrierStartNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::alignmentNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::syncSnapshotNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::snapshotWriteNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::metadataWriteNanos),
          medianP90Max(done, dev.onceflow.core.metrics.CheckpointStats::sinkCommitNanos));
    }

    private static double[] medianP90Max(List<dev.onceflow.core.metrics.CheckpointStats> done,
        java.util.function.ToLongFunction<dev.onceflow.core.metrics.CheckpointStats> phase) {
      long[] v = done.stream().mapToLong(phase).sorted().toArray();
      if (v.length == 0) {
        return new double[] {0, 0, 0};
      }
      return new double[] {v[(v.length - 1) / 2] / 1e6, v[(int) Math.ceil(0.9 * v.length) - 1] / 1e6,
          v[v.length - 1] / 1e6};
    }
  }

  /** A record in the pipeline: its sequence number and the time it was due to be created (System.nanoTime). */
  record Event(long seq, long createdNanos) implements java.io.Serializable {
    static Event parse(byte[] b) {
      String s = new String(b, StandardCharsets.US_ASCII);
      int comma = s.indexOf(',');
      return new Event(Long.parseLong(s, 0, comma, 10), Long.parseLong(s, comma + 1, s.length(), 10));
    }

    byte[] bytes() {
      return (seq + "," + createdNanos).getBytes(StandardCharsets.US_ASCII);
    }
  }

  /** Keyed pass-through: forces an exchange between source and sink stages, as a real keyed job has. */
  static final class PassThrough extends KeyedProcessFunction<Long, Event, Event> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(Event value, Context<Long> ctx, Collector<Event> out) {
      out.collect(value);
    }
  }

  private LatencyBenchmark() {}

  static Result run(Config c, Path root) throws Exception {
    try (Log log = Log.open(root.resolve("log"))) {
      log.createTopic("in", TopicConfig.partitions(c.partitions()));
      log.createTopic("out", TopicConfig.partitions(c.partitions()));
      Decoder<Event> decoder = Event::parse;
      Encoder<Event> encoder = Event::bytes;
      AtomicLong commits = new AtomicLong();
      List<dev.onceflow.core.metrics.CheckpointStats> stats = new java.util.concurrent.CopyOnWriteArrayList<>();
      JobHandle job = Onceflow.pipeline("latency")
          .guarantee(Guarantee.EXACTLY_ONCE)
          .parallelism(c.parallelism())
          .checkpointInterval(Duration.ofMillis(c.checkpointIntervalMs()))
          .checkpointDir(root.resolve("ckpt"))
          .listener(new JobListener() {
            @Override
            public void onSinkCommitted(long id) {
              commits.incrementAndGet();
            }

            @Override
            public void onCheckpointStats(dev.onceflow.core.metrics.CheckpointStats s) {
              stats.add(s);
            }
          })
          .source(LogSource.of(log, "in", decoder))
          .keyBy(Event::seq)
          .process(new PassThrough())
          .sinkTo(LogSink.transactional(log, "out", encoder))
          .start();
      try {
        long warmup = (long) (c.events() * c.warmupFraction());
        Histogram h = new Histogram(Duration.ofHours(1).toNanos() / 1000, 3);
        long t0 = System.nanoTime() + 20_000_000L;
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Long> producer = CompletableFuture.supplyAsync(() -> produce(log, c, t0, stop),
            r -> {
              Thread t = new Thread(r, "latency-producer");
              t.setDaemon(true);
              t.start();
            });
        long seen;
        try {
          seen = consume(log, c, warmup, h, job, producer);
        } finally {
          stop.set(true); // a failed run must not leave the producer writing into a closing log
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Result(c.events(), seen, h.getTotalCount(), ms(h.getValueAtPercentile(50)),
            ms(h.getValueAtPercentile(99)), ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), seconds,
            producer.get() / 1e6, commits.get(), Phases.of(stats));
      } finally {
        job.cancel();
      }
    }
  }

  private static double ms(long micros) {
    return micros / 1000.0;
  }

  /**
   * Sends event i at t0 + i / rate: every 2 ms (or as soon as the previous send returned, if it took longer) one batch
   * per partition with every event due by now, so a slow fsync makes the next batch larger instead of putting the
   * producer ever further behind. The created time written is the event's scheduled time, not the time of the send:
   * producer delay counts as latency instead of being hidden (no coordinated omission).
   *
   * @return the largest delay of a send's return after its last event's scheduled time, in nanoseconds
   */
  private static long produce(Log log, Config c, long t0, AtomicBoolean stop) {
    List<TopicPartition> parts = new ArrayList<>();
    List<List<ProducerRecord>> buffers = new ArrayList<>();
    for (int p = 0; p < c.partitions(); p++) {
      parts.add(new TopicPartition("in", p));
      buffers.add(new ArrayList<>());
    }
    long maxLag = 0;
    try (Producer prod = log.idempotentProducer()) {
      long seq = 0;
      long nextSend = t0;
      while (seq < c.events() && !stop.get()) {
        for (long now = System.nanoTime(); now < nextSend; now = System.nanoTime()) {
          LockSupport.parkNanos(nextSend - now);
        }
        long now = System.nanoTime();
        nextSend = now + BATCH_INTERVAL_NANOS;
        long end = Math.min(c.events(), (long) ((now - t0) / 1e9 * c.rate()) + 1);
        if (end <= seq) {
          continue;
        }
        for (; seq < end; seq++) {
          buffers.get((int) (seq % c.partitions())).add(
              new ProducerRecord(null, new Event(seq, due(t0, seq, c.rate())).bytes(), 0, null));
        }
        for (int p = 0; p < c.partitions(); p++) {
          if (!buffers.get(p).isEmpty()) {
            prod.sendBatch(parts.get(p), buffers.get(p));
            buffers.get(p).clear();
          }
        }
        maxLag = Math.max(maxLag, System.nanoTime() - due(t0, seq - 1, c.rate()));
      }
    }
    return maxLag;
  }

  private static long due(long t0, long seq, long rate) {
    return t0 + (long) (seq * 1e9 / rate);
  }

  /** Reads the output until every event was seen once; returns how many distinct events were seen. */
  private static long consume(Log log, Config c, long warmup, Histogram h, JobHandle job,
      CompletableFuture<Long> producer) throws Exception {
    boolean[] seenSeq = new boolean[Math.toIntExact(c.events())];
    long seen = 0;
    long deadline = System.nanoTime() + c.timeout().toNanos();
    try (Consumer consumer = log.consumer(ConsumerConfig.readCommitted())) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int p = 0; p < c.partitions(); p++) {
        parts.add(new TopicPartition("out", p));
      }
      consumer.assign(parts);
      while (seen < c.events()) {
        List<LogRecord> batch = consumer.poll(8192, Duration.ofMillis(50));
        long now = System.nanoTime();
        for (LogRecord r : batch) {
          Event e = Event.parse(r.value());
          if (seenSeq[(int) e.seq()]) {
            throw new IllegalStateException("latency bench: event " + e.seq()
                + " was committed twice to the output topic; EXACTLY_ONCE is broken");
          }
          seenSeq[(int) e.seq()] = true;
          seen++;
          if (e.seq() >= warmup) {
            h.recordValue(Math.max(0, (now - e.createdNanos()) / 1000));
          }
        }
        if (producer.isCompletedExceptionally()) {
          producer.join(); // throws the producer's failure
        }
        JobStatus status = job.status();
        if (status == JobStatus.FAILED || status == JobStatus.CANCELLED || status == JobStatus.FINISHED) {
          throw new IllegalStateException("latency bench: the job stopped (" + status + ") after " + seen + " of "
              + c.events() + " events were committed");
        }
        if (System.nanoTime() > deadline) {
          throw new TimeoutException("latency bench: only " + seen + " of " + c.events() + " events were committed"
              + " within " + c.timeout().toSeconds() + " s (job " + status + "); raise --timeout or lower --rate");
        }
      }
    }
    return seen;
  }
}
