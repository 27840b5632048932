package dev.onceflow.cli;

import dev.onceflow.log.Consumer;
import dev.onceflow.log.ConsumerConfig;
import dev.onceflow.log.FsyncPolicy;
import dev.onceflow.log.Log;
import dev.onceflow.log.LogConfig;
import dev.onceflow.log.LogRecord;
import dev.onceflow.log.Producer;
import dev.onceflow.log.ProducerRecord;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.TopicPartition;
import dev.onceflow.log.TransactionalProducer;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow bench log}: append throughput per record size, fsync policy and producer count; transactional
 * produce with small and large transactions; read throughput. Every scenario uses a fresh directory.
 */
@Command(name = "log", mixinStandardHelpOptions = true,
    description = "Benchmark the embedded log: appends (100 B / 1 KiB records, each fsync policy, 1 and 4 producers),"
        + " transactions (100 and 10,000 records each) and reads.")
final class BenchLogCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", description = "Where to put the benchmark logs (default: a temp dir, deleted after).")
  Path dir;

  @Option(names = "--records", defaultValue = "1000000",
      description = "Records per 100 B scenario (1 KiB scenarios use a fifth). Default ${DEFAULT-VALUE}.")
  long records;

  @Option(names = "--batch", defaultValue = "500", description = "Records per sendBatch. Default ${DEFAULT-VALUE}.")
  int batch;

  @Override
  public Integer call() throws Exception {
    if (records < 1000 || batch < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--records must be >= 1000 and --batch >= 1");
    }
    boolean temp = dir == null;
    Path root = temp ? Files.createTempDirectory("onceflow-bench") : Files.createDirectories(dir);
    PrintWriter out = spec.commandLine().getOut();
    out.printf("onceflow bench log: %d cores, batch %d records%n", Runtime.getRuntime().availableProcessors(), batch);
    out.printf("%-52s %12s %10s %14s %10s%n", "scenario", "records", "seconds", "records/s", "MB/s");
    out.flush();
    try {
      int n = 0;
      for (int size : new int[] {100, 1024}) {
        long count = size == 100 ? records : records / 5;
        for (FsyncPolicy policy : List.of(FsyncPolicy.EVERY_APPEND, FsyncPolicy.everyMillis(10), FsyncPolicy.OS)) {
          for (int producers : new int[] {1, 4}) {
            Path d = root.resolve("s" + n++);
            row(out, "append " + size + " B, " + name(policy) + ", " + producers + " producer(s)", count, size,
                append(d, policy, size, count, producers));
            delete(d);
          }
        }
      }
      long txnRecords = records / 2;
      for (int perTxn : new int[] {100, 10_000}) {
        Path d = root.resolve("s" + n++);
        row(out, "transactional 100 B, " + perTxn + " records/txn, every-append", txnRecords, 100,
            transactional(d, txnRecords, perTxn));
        delete(d);
      }
      Path single = root.resolve("s" + n++);
      long singles = Math.max(1000, records / 20);
      int savedBatch = batch;
      batch = 1;
      try {
        row(out, "append 100 B unbatched (send), every-append, 4 producers", singles, 100,
            append(single, FsyncPolicy.EVERY_APPEND, 100, singles, 4));
      } finally {
        batch = savedBatch;
      }
      delete(single);
      Path d = root.resolve("s" + n++);
      row(out, "plain 100 B for comparison, every-append", txnRecords, 100,
          append(d, FsyncPolicy.EVERY_APPEND, 100, txnRecords, 1));
      long t0 = System.nanoTime();
      Log.open(d).close();
      row(out, "reopen: recovery scan of the log above", txnRecords, 100, (System.nanoTime() - t0) / 1e9);
      double[] read = read(d);
      row(out, "read 100 B, read-committed, 1 consumer", (long) read[1], 100, read[0]);
      delete(d);
    } finally {
      if (temp) {
        delete(root);
      }
    }
    return 0;
  }

  private static String name(FsyncPolicy p) {
    return p instanceof FsyncPolicy.EveryAppend ? "every-append"
        : p instanceof FsyncPolicy.EveryMillis em ? "every-" + em.millis() + "ms" : "os";
  }

  private static void row(PrintWriter out, String scenario, long count, int size, double seconds) {
    out.printf("%-52s %12d %10.2f %14.0f %10.1f%n", scenario, count, seconds, count / seconds,
        count * (double) size / seconds / (1 << 20));
    out.flush();
  }

  private static List<ProducerRecord> records(int size, int n) {
    List<ProducerRecord> list = new ArrayList<>(n);
    byte[] value = new byte[size];
    for (int i = 0; i < n; i++) {
      list.add(new ProducerRecord(null, value, 0, null));
    }
    return list;
  }

  /** Seconds to append count records with this many concurrent producers into one partition. */
  private double append(Path d, FsyncPolicy policy, int size, long count, int producers) throws Exception {
    try (Log log = Log.open(d, LogConfig.builder().fsyncPolicy(policy).build())) {
      log.createTopic("bench", TopicConfig.partitions(1));
      TopicPartition tp = new TopicPartition("bench", 0);
      List<ProducerRecord> chunk = records(size, batch);
      long perProducer = count / producers;
      CyclicBarrier start = new CyclicBarrier(producers + 1);
      AtomicReference<Throwable> failure = new AtomicReference<>();
      List<Thread> threads = new ArrayList<>();
      for (int i = 0; i < producers; i++) {
        Thread t = new Thread(() -> {
          try (Producer p = log.idempotentProducer()) {
            start.await();
            for (long sent = 0; sent < perProducer; sent += batch) {
              p.sendBatch(tp, chunk.subList(0, (int) Math.min(batch, perProducer - sent)));
            }
          } catch (Throwable e) {
            failure.compareAndSet(null, e);
          }
        });
        t.start();
        threads.add(t);
      }
      start.await();
      long t0 = System.nanoTime();
      for (Thread t : threads) {
        t.join();
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      if (failure.get() != null) {
        throw new IllegalStateException("benchmark producer failed: " + failure.get(), failure.get());
      }
      return seconds;
    }
  }

  private double transactional(Path d, long count, int perTxn) {
    try (Log log = Log.open(d)) {
      log.createTopic("bench", TopicConfig.partitions(1));
      TopicPartition tp = new TopicPartition("bench", 0);
      List<ProducerRecord> chunk = records(100, Math.min(batch, perTxn));
      TransactionalProducer tx = log.transactionalProducer("bench");
      tx.initTransactions();
      long t0 = System.nanoTime();
      for (long sent = 0; sent < count; ) {
        tx.beginTransaction();
        for (int inTxn = 0; inTxn < perTxn && sent < count; ) {
          int n = (int) Math.min(chunk.size(), Math.min(perTxn - inTxn, count - sent));
          tx.sendBatch(tp, chunk.subList(0, n));
          inTxn += n;
          sent += n;
        }
        tx.commitTransaction();
      }
      return (System.nanoTime() - t0) / 1e9;
    }
  }

  /** {seconds, records} to read the whole log read-committed. */
  private static double[] read(Path d) {
    try (Log log = Log.open(d); Consumer c = log.consumer(ConsumerConfig.readCommitted())) {
      c.assign(List.of(new TopicPartition("bench", 0)));
      long n = 0;
      long t0 = System.nanoTime();
      for (List<LogRecord> got = c.poll(10_000); !got.isEmpty(); got = c.poll(10_000)) {
        n += got.size();
      }
      return new double[] {(System.nanoTime() - t0) / 1e9, n};
    }
  }

  private static void delete(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> s = Files.walk(p)) {
      for (Path f : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(f);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete benchmark directory " + p, e);
    }
  }
}
