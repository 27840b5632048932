package dev.onceflow.log;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

/**
 * The child JVM of {@link LogCrashTest}: appends forever (plain, idempotent from a second thread, transactional
 * across partitions, prepared-then-committed) and prints every acknowledgement as one line, flushed, ending in
 * " ." so that a line cut by the kill is recognisable. Arguments: dir, seed, run number, fsync policy (every|millis|os).
 *
 * <p>Value encoding: plain {@code p-<run>-<n>}, idempotent {@code q-<run>-<n>}, transactional
 * {@code t-<run>-<n>-<total>-<k>} where total is the transaction's record count across all its partitions.
 */
public final class CrashChild {
  static final String TXN_ID = "crash-tx";

  private CrashChild() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Random rnd = new Random(Long.parseLong(args[1]));
    int run = Integer.parseInt(args[2]);
    FsyncPolicy policy = switch (args[3]) {
      case "os" -> FsyncPolicy.OS;
      case "millis" -> FsyncPolicy.everyMillis(5);
      default -> FsyncPolicy.EVERY_APPEND;
    };
    PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
    Log log = Log.open(dir, LogConfig.builder().fsyncPolicy(policy).build());
    log.createTopic("plain", TopicConfig.builder().partitions(2).segmentBytes(8 * 1024).build());
    log.createTopic("tx", TopicConfig.builder().partitions(3).segmentBytes(8 * 1024).build());
    Producer plain = log.producer();
    TransactionalProducer tx = log.transactionalProducer(TXN_ID);
    tx.initTransactions();
    Thread idempotent = new Thread(() -> {
      Producer idem = log.idempotentProducer();
      TopicPartition tp = new TopicPartition("plain", 1);
      for (int n = 0; ; n++) {
        String v = "q-" + run + "-" + n;
        long off = idem.send(tp, record(v));
        ack(out, "ACK R " + tp.partition() + " " + off + " " + v);
      }
    }, "idempotent-sender");
    idempotent.setDaemon(true);
    idempotent.start();
    ack(out, "READY");
    for (int n = 0; ; n++) {
      int op = rnd.nextInt(10);
      if (op < 3) {
        String v = "p-" + run + "-" + n;
        long off = plain.send(new TopicPartition("plain", 0), record(v));
        ack(out, "ACK R 0 " + off + " " + v);
      } else {
        String name = sendTransaction(tx, rnd, "t-" + run + "-" + n);
        if (op < 5) {
          tx.abortTransaction();
          ack(out, "ACK A " + name);
        } else if (op < 8) {
          tx.commitTransaction();
          ack(out, "ACK C " + name);
        } else {
          PreparedTransaction token = tx.prepare();
          ack(out, "PREP " + name + " " + HexFormat.of().formatHex(token.toBytes()));
          if (op == 9) {
            // the 2PC sink pattern: the next transaction starts before the prepared one is committed
            String next = sendTransaction(tx, rnd, "t-" + run + "-" + n + "x");
            log.commitPrepared(token);
            ack(out, "ACK C " + name);
            tx.commitTransaction();
            ack(out, "ACK C " + next);
          } else {
            log.commitPrepared(token);
            ack(out, "ACK C " + name);
          }
        }
      }
    }
  }

  /** Begins a transaction and sends 2-3 partitions' worth of records; returns its name (which encodes its size). */
  private static String sendTransaction(TransactionalProducer tx, Random rnd, String prefix) {
    int parts = 2 + rnd.nextInt(2);
    int perPart = 1 + rnd.nextInt(4);
    String name = prefix + "-" + parts * perPart;
    tx.beginTransaction();
    int k = 0;
    for (int p = 0; p < parts; p++) {
      List<ProducerRecord> batch = new ArrayList<>();
      for (int i = 0; i < perPart; i++) {
        batch.add(record(name + "-" + k++));
      }
      TopicPartition tp = new TopicPartition("tx", p);
      if (rnd.nextBoolean()) {
        tx.sendBatch(tp, batch);
      } else {
        for (ProducerRecord r : batch) {
          tx.send(tp, r);
        }
      }
    }
    return name;
  }

  private static ProducerRecord record(String v) {
    return new ProducerRecord(null, v.getBytes(StandardCharsets.UTF_8), System.currentTimeMillis(), null);
  }

  private static void ack(PrintStream out, String line) {
    synchronized (out) {
      out.print(line + " .\n");
      out.flush();
    }
  }
}
