package dev.onceflow.cli;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.window.WindowAssigner;
import dev.onceflow.kafka.KafkaSink;
import dev.onceflow.kafka.KafkaSource;
import dev.onceflow.kafka.broker.LocalKafkaBroker;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow bench kafka}: on one Kafka broker, a Kafka-to-Kafka map job and a tag-count job reading Kafka, at
 * parallelism 2 with 100-byte records, under no checkpoints, AT_LEAST_ONCE 1 s, EXACTLY_ONCE 1 s and 100 ms, beside
 * the limit measured in the same run: a plain kafka-clients consume-and-produce loop (one consumer and one producer
 * per input partition, no transactions).
 *
 * <p>Throughput: a pre-filled input read to its end; the clock starts at the first record read (so the fixed start
 * costs, a transactional sink's lease and producer set-up, are not in it) and stops when the job finished (its final
 * commit done). Latency of committed output: a producer paced at {@code --rate} stamps each record with its intended
 * send time (no coordinated omission) and a {@code read_committed} consumer records, when the record becomes visible,
 * the time since (HdrHistogram).
 */
@Command(name = "kafka", mixinStandardHelpOptions = true,
    description = "Benchmark Onceflow on Kafka (map job and tag-count, parallelism 2, 100-byte records; no"
        + " checkpoints, at-least-once 1 s, exactly-once 1 s and 100 ms) against a plain consume-and-produce loop,"
        + " on a local broker started for the run (or --bootstrap-servers): throughput and committed-output latency.")
final class BenchKafkaCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--records", defaultValue = "10000000", description = "Records of the throughput input (one topic"
      + " read by every throughput run; tag-count reads a second one as well). Default ${DEFAULT-VALUE}: every run lasts >= " + MIN_RUN_SECONDS + " s on 2"
      + " cores, so start and end costs do not decide the ratios.")
  int records;

  @Option(names = "--rate", defaultValue = "5000", description = "Records/s of the latency phase. Default"
      + " ${DEFAULT-VALUE}.")
  int rate;

  @Option(names = "--seconds", defaultValue = "10", description = "Length of each latency phase. Default"
      + " ${DEFAULT-VALUE}.")
  int seconds;

  @Option(names = "--runs", defaultValue = "3", description = "Rounds (each: loop, the map rows, loop, the"
      + " tag-count rows, then the latency rows); the median of the rounds is reported. Default ${DEFAULT-VALUE}.")
  int runs;

  @Option(names = "--json", description = "Print one JSON object (every row: medians, min .. max, run seconds).")
  boolean json;

  @Option(names = "--bootstrap-servers", description = "Use this cluster instead of starting a local broker (topics"
      + " bench-* are created).")
  String bootstrapServers;

  private static final int PARALLELISM = 2;
  /** A throughput run shorter than this is reported as too short to compare (its fixed costs weigh). */
  static final int MIN_RUN_SECONDS = 5;
  private static final int VALUE_BYTES = 100;
  private static final long EPOCH = 1_767_225_600_000L;

  /** A scenario: the pipeline's guarantee and checkpoint interval (0 = none). */
  record Mode(String label, Guarantee guarantee, long intervalMs) {}

  static final List<Mode> MODES = List.of(new Mode("no checkpoints", Guarantee.AT_LEAST_ONCE, 0),
      new Mode("at-least-once 1 s", Guarantee.AT_LEAST_ONCE, 1000),
      new Mode("exactly-once 1 s", Guarantee.EXACTLY_ONCE, 1000),
      new Mode("exactly-once 100 ms", Guarantee.EXACTLY_ONCE, 100));

  private String bootstrap;
  private Path tmp;
  private int topics;
  private long brokerPid = -1;
  /** CPU µs per record of each throughput run, in the order of {@code thr}'s values. */
  private final Map<String, List<Double>> cpu = new java.util.LinkedHashMap<>();
  private double lastCpuPerRecord;
  /** Seconds of each throughput run's clock (first record read to the job's end), like {@code cpu}. */
  private final Map<String, List<Double>> secs = new java.util.LinkedHashMap<>();
  private double lastSeconds;
  /** Where the latency of each exactly-once map mode went (its output is visible at commits), every round together. */
  private final Map<String, BenchKafkaLatencyParts> parts = new java.util.LinkedHashMap<>();

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (records < 1 || rate < 1 || seconds < 1 || runs < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--records, --rate, --seconds and --runs must be >= 1");
    }
    tmp = Files.createTempDirectory("onceflow-bench-kafka");
    LocalKafkaBroker broker = null;
    Thread cleanUp = null;
    try {
      if (bootstrapServers == null) {
        spec.commandLine().getErr().println("onceflow bench kafka: starting a local broker ...");
        spec.commandLine().getErr().flush();
        broker = LocalKafkaBroker.create(tmp.resolve("broker"), System.getProperty("java.class.path"), 0, Map.of());
        // Ctrl-C skips the finally below: the broker is a process of its own and would outlive this one
        LocalKafkaBroker started = broker;
        Path dir = tmp;
        cleanUp = new Thread(() -> {
          try {
            started.stop();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          } finally {
            deleteQuietly(dir);
          }
        }, "onceflow-bench-kafka-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanUp);
        broker.start();
        bootstrap = broker.bootstrapServers();
        brokerPid = broker.pid();
      } else {
        bootstrap = bootstrapServers;
      }
      double loadBefore = load();
      long benchStart = System.nanoTime();
      PrintWriter progress = json ? spec.commandLine().getErr() : out;
      progress.printf("onceflow bench kafka: %d cores, load average %.2f at start, parallelism %d, %d-byte records;"
          + " throughput over %,d records, latency at %,d records/s for %d s; %d rounds, interleaved%n",
          Runtime.getRuntime().availableProcessors(), loadBefore, PARALLELISM, VALUE_BYTES, records, rate, seconds,
          runs);
      progress.flush();
      String in = topic("bench-in");
      fill(in);
      // tag-count writes ~300 results for its input and reads ~3x as fast as the loop: it reads this topic too (the
      // same records again), so its runs last as long as the others
      String tagsIn = topic("bench-in-tags");
      fill(tagsIn);
      // warm-up, not counted: the first pass through the clients' and the engine's code runs interpreted (measured
      // first, the loop paid the JIT for every row after it)
      plainLoopThroughput(in);
      mapThroughput(in, MODES.get(2));
      Map<String, List<Double>> thr = new java.util.LinkedHashMap<>();
      Map<String, List<Histogram>> lat = new java.util.LinkedHashMap<>();
      for (int round = 1; round <= runs; round++) {
        double l0 = load();
        measure(thr, LOOP, plainLoopThroughput(in));
        for (Mode m : MODES) {
          measure(thr, "map, " + m.label(), mapThroughput(in, m));
        }
        measure(thr, LOOP, plainLoopThroughput(in));
        for (Mode m : MODES) {
          measure(thr, "tag-count, " + m.label(), tagCountThroughput(in, tagsIn, m));
        }
        lat.computeIfAbsent(LOOP, k -> new ArrayList<>()).add(latency(null, null));
        for (Mode m : MODES) {
          String label = "map, " + m.label();
          BenchKafkaLatencyParts into = m.guarantee() == Guarantee.EXACTLY_ONCE ? parts.computeIfAbsent(label,
              k -> new BenchKafkaLatencyParts()) : null;
          lat.computeIfAbsent(label, k -> new ArrayList<>()).add(latency(m, into));
        }
        progress.printf("round %d of %d (load average %.2f before, %.2f after):", round, runs, l0, load());
        for (var e : thr.entrySet()) {
          List<Double> c = cpu.get(e.getKey());
          List<Double> d = secs.get(e.getKey());
          progress.printf(" %s %.0f (%.2f us/rec, %.1f s);", e.getKey(), e.getValue().get(e.getValue().size() - 1),
              c.get(c.size() - 1), d.get(d.size() - 1));
        }
        progress.println();
        progress.flush();
      }
      double shortest = secs.values().stream().flatMap(List::stream).mapToDouble(Double::doubleValue).min()
          .orElse(0);
      if (json) {
        printJson(out, thr, lat, loadBefore, shortest, (System.nanoTime() - benchStart) / 1e9);
        return 0;
      }
      double loop = new BenchRuns(toArray(thr.get(LOOP))).median();
      double loopCpu = new BenchRuns(toArray(cpu.get(LOOP))).median();
      out.printf("%-34s %12s %9s %21s %11s %9s %7s %9s %9s %9s%n", "scenario (median of rounds)", "records/s",
          "vs loop", "min .. max", "CPU us/rec", "vs loop", "run s", "p50 ms", "p99 ms", "p99 max");
      for (var e : thr.entrySet()) {
        BenchRuns r = new BenchRuns(toArray(e.getValue()));
        double c = new BenchRuns(toArray(cpu.get(e.getKey()))).median();
        double d = new BenchRuns(toArray(secs.get(e.getKey()))).median();
        List<Histogram> hs = lat.get(e.getKey());
        out.printf("%-34s %12.0f %8.0f%% %10.0f .. %8.0f %11.2f %8.0f%% %7.1f %9s %9s %9s%n", e.getKey(), r.median(),
            100 * r.median() / loop, r.min(), r.max(), c, 100 * c / loopCpu, d, hs == null ? "-" : ms(median(hs, 50)),
            hs == null ? "-" : ms(median(hs, 99)), hs == null ? "-" : ms(max(hs, 99)));
      }
      for (var e : parts.entrySet()) {
        out.printf("%s, latency rows (every round):%n%s", e.getKey(), e.getValue().describe());
      }
      out.printf("run s: seconds of a throughput run's clock, first record read to the job's end (median of rounds)%n");
      if (shortest < MIN_RUN_SECONDS) {
        List<String> tooShort = new ArrayList<>();
        secs.forEach((label, l) -> {
          if (l.stream().anyMatch(x -> x < MIN_RUN_SECONDS)) {
            tooShort.add(label);
          }
        });
        out.printf("warning: the shortest throughput run lasted %.2f s (< %d s; rows: %s): start and end costs weigh in"
            + " those ratios; raise --records%n", shortest, MIN_RUN_SECONDS, String.join(", ", tooShort));
      }
      out.printf("bench duration %.0f s%n", (System.nanoTime() - benchStart) / 1e9);
      out.printf("CPU us/rec: CPU time of this JVM%s over the timed part of each run, per record (median of"
          + " rounds)%n", brokerPid > 0 ? " and of the broker's process" : "");
      out.printf("load average %.2f at start, %.2f at the end (other processes share the cores)%n", loadBefore,
          load());
      out.flush();
      return 0;
    } finally {
      if (cleanUp != null) {
        try {
          Runtime.getRuntime().removeShutdownHook(cleanUp);
        } catch (IllegalStateException shuttingDown) {
          // the hook runs (or ran) and stops the broker itself
        }
      }
      if (broker != null) {
        broker.stop();
      }
      deleteQuietly(tmp);
    }
  }

  private static final String LOOP = "plain consume-produce loop";

  private void measure(Map<String, List<Double>> thr, String label, double v) {
    thr.computeIfAbsent(label, k -> new ArrayList<>()).add(v);
    cpu.computeIfAbsent(label, k -> new ArrayList<>()).add(lastCpuPerRecord);
    secs.computeIfAbsent(label, k -> new ArrayList<>()).add(lastSeconds);
  }

  private void printJson(PrintWriter out, Map<String, List<Double>> thr, Map<String, List<Histogram>> lat,
      double loadBefore, double shortest, double benchSeconds) {
    var o = new com.fasterxml.jackson.databind.ObjectMapper().createObjectNode();
    o.put("bench", "kafka");
    o.put("records", records);
    o.put("value_bytes", VALUE_BYTES);
    o.put("parallelism", PARALLELISM);
    o.put("rounds", runs);
    o.put("latency_rate", rate);
    o.put("latency_seconds", seconds);
    o.put("shortest_run_seconds", shortest);
    o.put("bench_seconds", benchSeconds);
    double loop = new BenchRuns(toArray(thr.get(LOOP))).median();
    double loopCpu = new BenchRuns(toArray(cpu.get(LOOP))).median();
    var rows = o.putArray("rows");
    for (var e : thr.entrySet()) {
      var row = rows.addObject();
      BenchRuns r = new BenchRuns(toArray(e.getValue()));
      BenchRuns c = new BenchRuns(toArray(cpu.get(e.getKey())));
      BenchRuns d = new BenchRuns(toArray(secs.get(e.getKey())));
      row.put("scenario", e.getKey());
      row.put("records_per_sec", r.median());
      r.putJson(row, "records_per_sec");
      row.put("vs_loop_pct", 100 * r.median() / loop);
      row.put("cpu_us_per_record", c.median());
      row.put("cpu_vs_loop_pct", 100 * c.median() / loopCpu);
      row.put("run_seconds", d.median());
      d.putJson(row, "run_seconds");
      List<Histogram> hs = lat.get(e.getKey());
      if (hs != null) {
        row.put("p50_ms", median(hs, 50) / 1000.0);
        row.put("p99_ms", median(hs, 99) / 1000.0);
        row.put("p99_max_ms", max(hs, 99) / 1000.0);
      }
      BenchKafkaLatencyParts lp = parts.get(e.getKey());
      if (lp != null) {
        // [median, p90, max] over the latency runs' checkpoints
        lp.phases().writeJson(row.putObject("checkpoint_phases_ms"));
        double[][] p = lp.parts();
        if (p != null) {
          var lparts = row.putObject("latency_parts_ms"); // [p50, p99, mean of the records at or above the p99]
          putArray(lparts, "due_to_trigger", p[0]);
          putArray(lparts, "trigger_to_committed", p[1]);
          putArray(lparts, "committed_to_visible", p[2]);
        }
      }
    }
    BenchRuns.putEnvironment(o, loadBefore);
    out.println(o);
    out.flush();
  }

  private static void putArray(com.fasterxml.jackson.databind.node.ObjectNode o, String field, double[] v) {
    var a = o.putArray(field);
    for (double x : v) {
      a.add(x);
    }
  }

  /**
   * CPU time so far of this JVM plus the local broker's process (when this run started it), ns: what the records
   * cost whatever else the machine runs (wall-clock rates move with the load; CPU per record much less).
   */
  private long cpuNanos() {
    long own = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    if (brokerPid <= 0) {
      return own;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + brokerPid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // utime and stime (fields 14 and 15 of proc(5)), in clock ticks of 10 ms (USER_HZ 100 on Linux)
      return own + (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10_000_000L;
    } catch (java.io.IOException | RuntimeException notLinux) {
      brokerPid = -1;
      return own;
    }
  }

  private void cpuPerRecord(long cpuStart, long input) {
    lastCpuPerRecord = (cpuNanos() - cpuStart) / 1000.0 / input;
  }

  /** Records/s of a run over {@code input} records whose clock ran from {@code firstNanos} to {@code endNanos}. */
  private double rate(long firstNanos, long endNanos, long input) {
    lastSeconds = (endNanos - firstNanos) / 1e9;
    return input / lastSeconds;
  }

  private static double[] toArray(List<Double> l) {
    return l.stream().mapToDouble(Double::doubleValue).toArray();
  }

  /** The median over the rounds of each round's {@code pct} percentile, in µs. */
  private static double median(List<Histogram> hs, double pct) {
    return new BenchRuns(hs.stream().mapToDouble(h -> h.getValueAtPercentile(pct)).toArray()).median();
  }

  private static double max(List<Histogram> hs, double pct) {
    return hs.stream().mapToDouble(h -> h.getValueAtPercentile(pct)).max().orElseThrow();
  }

  private static String ms(double micros) {
    return String.format(java.util.Locale.ROOT, "%.1f", micros / 1000.0);
  }

  private static void deleteQuietly(Path dir) {
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (java.io.IOException e) {
      System.err.println("onceflow bench kafka: could not delete " + dir + ": " + e);
    }
  }

  private static double load() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private String topic(String prefix) throws Exception {
    String name = prefix + "-" + (++topics) + "-" + System.nanoTime() % 100_000;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      admin.createTopics(List.of(new NewTopic(name, PARALLELISM, (short) 1)
          .configs(Map.of("retention.ms", "-1")))).all().get(60, TimeUnit.SECONDS);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (true) {
        try {
          var d = admin.describeTopics(List.of(name)).allTopicNames().get(10, TimeUnit.SECONDS).get(name);
          if (d.partitions().stream().allMatch(p -> p.leader() != null)) {
            // described with a leader is not yet served by it: an idempotent producer's first batch then got
            // NOT_LEADER_OR_FOLLOWER, then OUT_OF_ORDER_SEQUENCE_NUMBER until delivery.timeout.ms (a round failed so
            // twice). ListOffsets is answered by the partition's leader only once it leads it.
            Map<org.apache.kafka.common.TopicPartition, org.apache.kafka.clients.admin.OffsetSpec> all = new HashMap<>();
            for (int i = 0; i < PARALLELISM; i++) {
              all.put(new org.apache.kafka.common.TopicPartition(name, i),
                  org.apache.kafka.clients.admin.OffsetSpec.latest());
            }
            admin.listOffsets(all).all().get(10, TimeUnit.SECONDS);
            return name;
          }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException notYet) {
          // unknown (or not led yet) for a moment after creation
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("topic " + name + " has no leader after 60 s");
        }
        Thread.sleep(50); // broker metadata: nothing to wait on but another describe
      }
    }
  }

  private Properties producerProps() {
    Properties p = new Properties();
    p.put("bootstrap.servers", bootstrap);
    // what the sinks run with: idempotent (the write-through sink's setting), acks from every replica, the batching
    // the benchmark's sinks are given
    p.put("enable.idempotence", "true");
    p.put("acks", "all");
    p.put("linger.ms", "5");
    p.put("batch.size", "65536");
    return p;
  }

  private Properties consumerProps() {
    Properties c = new Properties();
    c.put("bootstrap.servers", bootstrap);
    c.put("isolation.level", "read_committed");
    c.put("enable.auto.commit", "false");
    c.put("auto.offset.reset", "earliest");
    return c;
  }

  /**
   * The latency phase's measuring consumer: a fetch the broker holds for want of data returns after 5 ms instead of
   * fetch.max.wait.ms (500), so the measurement's own fetch does not add to a sample (the broker answers a held fetch
   * when data or a moved last stable offset arrives, but the measurement should not depend on that).
   */
  private Properties measuringConsumerProps() {
    Properties c = consumerProps();
    c.put("fetch.max.wait.ms", "5");
    return c;
  }

  /** 100-byte values: an 8-byte sequence number, then padding; timestamps 1 ms apart (tag-count's event time). */
  private void fill(String topic) throws Exception {
    byte[] pad = "x".repeat(VALUE_BYTES - 8).getBytes(StandardCharsets.US_ASCII);
    try (KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(), new ByteArraySerializer(),
        new ByteArraySerializer())) {
      SendErrorsLatch errors = new SendErrorsLatch(); // not a future per record: millions of them
      for (int i = 0; i < records; i++) {
        byte[] v = ByteBuffer.allocate(VALUE_BYTES).putLong(i).put(pad).array();
        p.send(new ProducerRecord<>(topic, i % PARALLELISM, EPOCH + i, null, v), errors);
        if ((i & 0xFFFF) == 0) {
          errors.check();
        }
      }
      p.flush();
      errors.check();
    }
  }

  /**
   * The limit: one consumer-producer pair per input partition, each in its own thread (like the pipeline's two
   * subtasks), batched polls (the consumer's defaults, read_committed like the source) and batched sends (the
   * sinks' producer settings), no transactions. Clock: first non-empty poll to the last thread's flush.
   */
  private double plainLoopThroughput(String in) throws Exception {
    String out = topic("bench-loop");
    AtomicLong first = new AtomicLong(Long.MAX_VALUE);
    AtomicLong last = new AtomicLong();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> threads = new ArrayList<>();
    // from the start of the threads (their consumers' and producers' set-up is in it: a few ms of CPU)
    long cpuStart = cpuNanos();
    long perPartition = records / PARALLELISM;
    for (int part = 0; part < PARALLELISM; part++) {
      int mine = part;
      long expected = perPartition + (mine < records % PARALLELISM ? 1 : 0);
      Thread t = new Thread(() -> {
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
            new ByteArrayDeserializer());
            KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
          TopicPartition tp = new TopicPartition(in, mine);
          c.assign(List.of(tp));
          c.seekToBeginning(List.of(tp));
          SendErrorsLatch errors = new SendErrorsLatch();
          long seen = 0;
          while (seen < expected) {
            var batch = c.poll(Duration.ofMillis(100));
            if (!batch.isEmpty()) {
              first.accumulateAndGet(System.nanoTime(), Math::min);
            }
            for (ConsumerRecord<byte[], byte[]> r : batch) {
              p.send(new ProducerRecord<>(out, mine, null, r.value()), errors);
              seen++;
            }
            errors.check();
          }
          p.flush();
          errors.check();
          last.accumulateAndGet(System.nanoTime(), Math::max);
        } catch (Throwable e) {
          failure.set(e);
        }
      }, "bench-loop-" + part);
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    cpuPerRecord(cpuStart, records);
    if (failure.get() != null) {
      throw new IllegalStateException("plain loop failed: " + failure.get(), failure.get());
    }
    long got = countCommitted(out);
    if (got != records) {
      throw new IllegalStateException("the plain loop wrote " + got + " records to " + out + ", expected " + records);
    }
    return rate(first.get(), last.get(), records);
  }

  /** The first failed send of a loop, rethrown by its thread. */
  private static final class SendErrorsLatch implements org.apache.kafka.clients.producer.Callback {
    private final AtomicReference<Exception> first = new AtomicReference<>();

    @Override
    public void onCompletion(org.apache.kafka.clients.producer.RecordMetadata m, Exception e) {
      if (e != null) {
        first.compareAndSet(null, e);
      }
    }

    void check() {
      if (first.get() != null) {
        throw new IllegalStateException("a send of the plain loop failed: " + first.get(), first.get());
      }
    }
  }

  private Pipeline pipeline(String name, Mode m) throws Exception {
    return Onceflow.pipeline(name + "-" + System.nanoTime()).guarantee(m.guarantee()).parallelism(PARALLELISM)
        .checkpointInterval(Duration.ofMillis(m.intervalMs())).checkpointDir(Files.createTempDirectory(tmp, "ckpt"));
  }

  private KafkaSink.Builder<byte[]> sink(String topic, Mode m) {
    return KafkaSink.<byte[]>builder().bootstrapServers(bootstrap).topic(topic).valueEncoder(x -> x)
        .guarantee(m.guarantee()).property("linger.ms", "5").property("batch.size", "65536");
  }

  /** Runs {@code p} over {@code input} records to its end; records/s from its first record read. */
  private double runTimed(Pipeline p, String out, long expectedOutput, long input) throws Exception {
    JobHandle job = p.start();
    long first = 0;
    long cpuStart = cpuNanos();
    while (!job.awaitTermination(Duration.ofMillis(1))) {
      if (first == 0 && job.metrics().recordsRead() > 0) {
        first = System.nanoTime();
        cpuStart = cpuNanos();
      }
    }
    job.join();
    long end = System.nanoTime();
    cpuPerRecord(cpuStart, input);
    long got = countCommitted(out);
    if (expectedOutput >= 0 ? got != expectedOutput : got == 0) {
      throw new IllegalStateException("the benchmark job committed " + got + " records to " + out + ", expected "
          + (expectedOutput >= 0 ? expectedOutput : "some"));
    }
    return rate(first == 0 ? end - 1 : first, end, input);
  }

  private double mapThroughput(String in, Mode m) throws Exception {
    String out = topic("bench-map");
    Pipeline p = pipeline("bench-map", m);
    p.source(KafkaSource.<byte[]>builder().bootstrapServers(bootstrap).topics(in).bounded().decoder(x -> x).build())
        .map(x -> x)
        .sinkTo(sink(out, m).build());
    return runTimed(p, out, records, records);
  }

  private double tagCountThroughput(String in, String in2, Mode m) throws Exception {
    String out = topic("bench-tags");
    Pipeline p = pipeline("bench-tags", m);
    p.source(KafkaSource.<Long>builder().bootstrapServers(bootstrap).topics(in, in2).bounded()
            .decoder(x -> ByteBuffer.wrap(x).getLong()).build(),
            WatermarkStrategy.boundedOutOfOrderness(Duration.ofSeconds(1)))
        .keyBy(i -> "tag-" + (i % 50))
        .window(WindowAssigner.tumbling(Duration.ofSeconds(60)))
        .count()
        .map(w -> (w.key() + "," + w.start() + "," + w.value()).getBytes(StandardCharsets.UTF_8))
        .sinkTo(sink(out, m).build());
    return runTimed(p, out, -1, 2L * records);
  }

  private long countCommitted(String topic) {
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      List<TopicPartition> tps = new ArrayList<>();
      for (int i = 0; i < PARALLELISM; i++) {
        tps.add(new TopicPartition(topic, i));
      }
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      Map<TopicPartition, Long> end = stableEnd(c, tps, deadline);
      long n = 0;
      while (tps.stream().anyMatch(tp -> c.position(tp) < end.get(tp))) {
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("counting " + topic + " took over 120 s");
        }
        n += c.poll(Duration.ofMillis(100)).count();
      }
      return n;
    }
  }

  /**
   * The partitions' ends once no transaction is open on them: a commit returns before the broker has written its
   * markers, and until then the last stable offset (what {@code c}, reading committed, sees as the end) stays before
   * the committed records, so counting right after a job's end could read none of them. Stable means the last stable
   * offset reached the high watermark (the marker is the last record).
   */
  private Map<TopicPartition, Long> stableEnd(KafkaConsumer<byte[], byte[]> c, List<TopicPartition> tps,
      long deadline) {
    Properties uncommitted = consumerProps();
    uncommitted.put("isolation.level", "read_uncommitted");
    try (KafkaConsumer<byte[], byte[]> hw = new KafkaConsumer<>(uncommitted, new ByteArrayDeserializer(),
        new ByteArrayDeserializer())) {
      while (true) {
        Map<TopicPartition, Long> stable = c.endOffsets(tps);
        if (stable.equals(hw.endOffsets(tps))) {
          return stable;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("a transaction on " + tps + " stayed open for over 120 s (last stable "
              + "offsets " + stable + ")");
        }
        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10)); // re-check
      }
    }
  }

  /**
   * Committed-output latency of the map job under {@code m} (null: the plain loop): records stamped with their
   * intended send time, paced at {@code rate}; a warm-up record every 10 ms until the first output is visible. Each
   * measured record also goes to {@code parts} (null: not split).
   */
  private Histogram latency(Mode m, BenchKafkaLatencyParts parts) throws Exception {
    String in = topic("bench-lat-in");
    String out = topic("bench-lat-out");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    JobHandle job = null;
    List<Thread> loops = new ArrayList<>();
    if (m == null) {
      for (int part = 0; part < PARALLELISM; part++) {
        int mine = part;
        Thread t = new Thread(() -> {
          try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(consumerProps(), new ByteArrayDeserializer(),
              new ByteArrayDeserializer());
              KafkaProducer<byte[], byte[]> p = new KafkaProducer<>(producerProps(), new ByteArraySerializer(),
                  new ByteArraySerializer())) {
            c.assign(List.of(new TopicPartition(in, mine)));
            SendErrorsLatch errors = new SendErrorsLatch();
            while (!stop.get()) {
              for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(100))) {
                p.send(new ProducerRecord<>(out, mine, null, r.value()), errors);
              }
              errors.check();
            }
          } catch (Throwable e) {
            failure.set(e);
          }
        }, "bench-latency-loop-" + part);
        loops.add(t);
        t.start();
      }
    } else {
      Pipeline p = pipeline("bench-lat", m);
      if (parts != null) {
        p.listener(parts);
      }
      p.source(KafkaSource.<byte[]>builder().bootstrapServers(bootstrap).topics(in).decoder(x -> x)
              .partitionDiscovery(Duration.ZERO).build())
          .map(x -> x)
          .sinkTo(sink(out, m).build());
      job = p.start();
    }
    Histogram h = new Histogram(TimeUnit.MINUTES.toMicros(10), 3);
    long total = (long) rate * seconds;
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps(), new ByteArraySerializer(),
        new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(measuringConsumerProps(),
            new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.assign(List.of(new TopicPartition(out, 0), new TopicPartition(out, 1)));
      // warm-up: until the job's first output is visible (its start costs are not latency)
      long warm = 0;
      long warmDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
      boolean visible = false;
      while (!visible) {
        producer.send(new ProducerRecord<>(in, (int) (warm++ % PARALLELISM), null, stamp(-1)));
        visible = !consumer.poll(Duration.ofMillis(10)).isEmpty();
        if (System.nanoTime() > warmDeadline) {
          throw new IllegalStateException("no output visible 120 s after the benchmark job started");
        }
      }
      Thread pacer = paced(producer, in, total, failure);
      long seen = 0;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds + 120L);
      while (seen < total) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(20))) {
          long now = System.nanoTime();
          long sent = ByteBuffer.wrap(r.value()).getLong();
          if (sent >= 0) {
            h.recordValue(Math.max(0, (now - sent) / 1000));
            if (parts != null) {
              parts.record(sent, now);
            }
            seen++;
          }
        }
        if (failure.get() != null) {
          throw new IllegalStateException("latency phase failed: " + failure.get(), failure.get());
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("only " + seen + " of " + total + " records visible in " + out);
        }
      }
      pacer.join();
    } finally {
      stop.set(true);
      for (Thread t : loops) {
        t.join();
      }
      if (job != null) {
        job.cancel();
        job.awaitTermination(Duration.ofSeconds(60));
      }
    }
    return h;
  }

  private static byte[] stamp(long intendedNanos) {
    byte[] pad = new byte[VALUE_BYTES - 8];
    return ByteBuffer.allocate(VALUE_BYTES).putLong(intendedNanos).put(pad).array();
  }

  /** Sends {@code total} records at {@code rate}/s, each stamped with the time it was due (not when it was sent). */
  private Thread paced(KafkaProducer<byte[], byte[]> producer, String in, long total,
      AtomicReference<Throwable> failure) {
    Thread t = new Thread(() -> {
      try {
        long start = System.nanoTime();
        long interval = 1_000_000_000L / rate;
        for (long i = 0; i < total; i++) {
          long due = start + i * interval;
          while (System.nanoTime() < due) {
            java.util.concurrent.locks.LockSupport.parkNanos(due - System.nanoTime());
          }
          producer.send(new ProducerRecord<>(in, (int) (i % PARALLELISM), null, stamp(due)));
        }
        producer.flush();
      } catch (Throwable e) {
        failure.set(e);
      }
    }, "bench-latency-producer");
    t.start();
    return t;
  }
}
