package dev.onceflow.kafka.broker;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

/**
 * A real single-node Apache Kafka broker (KRaft, combined broker and controller) in a child JVM, listening on
 * loopback only, with replication factor 1 for the internal topics (consumer offsets, transaction state), so that
 * transactions work on one node. Used by the tests, the verifier and {@code onceflow kafka broker}.
 *
 * <p>The child runs {@code kafka.Kafka} from a class path holding {@code org.apache.kafka:kafka_2.13} (the test class
 * path, or the CLI's own jar). Its data directory survives {@link #kill()} and {@link #stop()}, so {@link #start()}
 * restarts the same broker (same cluster id, same ports, same data) - which is how tests kill the broker mid-run.
 */
public final class LocalKafkaBroker implements AutoCloseable {
  /** No sign of progress (the broker's log growing, its port opening) for this long: the start is stuck. */
  static final Duration STALL_LIMIT = Duration.ofMinutes(2);
  /** The start is given up after this long even while it shows progress (a loaded machine is slow, not stuck). */
  static final Duration START_LIMIT = Duration.ofMinutes(10);
  private static final String KAFKA_MAIN = "kafka.Kafka";


  private final Path dir;
  private final String classPath;
  private final int port;
  private final int controllerPort;
  private final Map<String, String> overrides;
  private final String mainClass;
  private final Duration stallLimit;
  private final Duration startLimit;
  private Process process;

  private LocalKafkaBroker(Path dir, String classPath, int port, Map<String, String> overrides, String mainClass,
      Duration stallLimit, Duration startLimit) throws IOException {
    this.dir = dir;
    this.classPath = classPath;
    this.port = port == 0 ? freePort() : port;
    this.controllerPort = freePort();
    this.overrides = Map.copyOf(overrides);
    this.mainClass = mainClass;
    this.stallLimit = stallLimit;
    this.startLimit = startLimit;
  }

  /** For tests of the start's limits: {@code mainClass} instead of {@code kafka.Kafka}, and the limits given. */
  static LocalKafkaBroker create(Path dir, String classPath, String mainClass, Duration stallLimit,
      Duration startLimit) throws IOException {
    return new LocalKafkaBroker(dir, classPath, 0, Map.of(), mainClass, stallLimit, startLimit);
  }

  /**
   * A broker whose data lives under {@code dir} (formatted on first start), on {@code port} (0 = a free port), run
   * from {@code classPath}. Not started yet.
   */
  public static LocalKafkaBroker create(Path dir, String classPath, int port, Map<String, String> overrides)
      throws IOException {
    return new LocalKafkaBroker(dir, classPath, port, overrides, KAFKA_MAIN, STALL_LIMIT, START_LIMIT);
  }

  /** Creates and starts a broker on a free port, run from this JVM's class path. */
  public static LocalKafkaBroker startNew(Path dir) throws Exception {
    LocalKafkaBroker b = create(dir, System.getProperty("java.class.path"), 0, Map.of());
    b.start();
    return b;
  }

  /** {@code 127.0.0.1:<port>}: what clients pass as {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  /** The broker's data and log directory. */
  public Path directory() {
    return dir;
  }

  /**
   * Starts the broker (formatting its storage on first start) and waits until it serves requests: as long as it
   * shows progress (its log grows, its port opens) up to 10 minutes, but no more than 2 minutes without any. On
   * failure the process is stopped and the error says what the start was waiting for, with the log's last lines.
   */
  public synchronized void start() throws Exception {
    if (process != null && process.isAlive()) {
      return;
    }
    Files.createDirectories(dir);
    Path config = dir.resolve("server.properties");
    Files.writeString(config, config(), StandardCharsets.UTF_8);
    Path data = dir.resolve("data");
    if (!Files.exists(data.resolve("meta.properties"))) {
      Path clusterId = dir.resolve("cluster.id");
      if (!Files.exists(clusterId)) {
        Files.writeString(clusterId, Uuid.randomUuid().toString());
      }
      Process format = java("kafka.tools.StorageTool", "format", "--ignore-formatted", "-t",
          Files.readString(clusterId).trim(), "-c", config.toString())
          .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("format.log").toFile()))
          .redirectErrorStream(true).start();
      if (!format.waitFor(startLimit.toSeconds(), TimeUnit.SECONDS) || format.exitValue() != 0) {
        format.destroyForcibly();
        throw new IOException("formatting the Kafka storage in " + data + " failed; see " + dir.resolve("format.log"));
      }
    }
    process = java(mainClass, config.toString())
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("broker.log").toFile()))
        .redirectErrorStream(true).start();
    try {
      awaitReady();
    } catch (Exception e) {
      process.destroyForcibly();
      process.waitFor();
      throw e;
    }
  }

  private ProcessBuilder java(String mainClass, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(List.of("-Xmx768m", "-XX:+UseSerialGC", "-Djava.awt.headless=true",
        "-Dlog4j2.level=WARN", "-cp", classPath, mainClass));
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd);
  }

  /**
   * Waits until the broker answers a describeCluster. Progress is the broker's log growing or its port opening; the
   * log is appended to across restarts, so its size at the start is the baseline.
   */
  private void awaitReady() throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2000);
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3000);
    Path log = dir.resolve("broker.log");
    long start = System.nanoTime();
    long lastProgress = start;
    long logSize = size(log);
    boolean portOpen = false;
    String lastError = "none (no answer yet)";
    try (Admin admin = Admin.create(p)) {
      while (true) {
        if (!process.isAlive()) {
          throw new IOException("the Kafka broker exited with " + process.exitValue() + " while starting; see "
              + log + ", last lines:\n" + tail(log));
        }
        try {
          if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
            return;
          }
        } catch (Exception notYet) {
          lastError = (notYet.getCause() != null ? notYet.getCause() : notYet).toString();
        }
        long now = System.nanoTime();
        long size = size(log);
        boolean open = portOpen || listening();
        if (size != logSize || open != portOpen) {
          lastProgress = now;
          logSize = size;
          portOpen = open;
        }
        boolean stalled = now - lastProgress > stallLimit.toNanos();
        if (stalled || now - start > startLimit.toNanos()) {
          throw new IOException(String.format(java.util.Locale.ROOT,
              "the Kafka broker (%s, pid %d) did not serve requests: %s after %d s; it was waiting for %s; the last"
                  + " answer of a describeCluster: %s; %s has %d bytes, last lines:%n%s",
              bootstrapServers(), process.pid(),
              stalled ? "no progress for " + stallLimit.toSeconds() + " s (log silent, port state unchanged)"
                  : "still not ready at the start limit of " + startLimit.toSeconds() + " s",
              TimeUnit.NANOSECONDS.toSeconds(now - start),
              portOpen ? "the broker to answer on its open port " + port + " (controller election, metadata load)"
                  : "the broker's listener to open port " + port,
              lastError, log, logSize, tail(log)));
        }
      }
    }
  }

  private boolean listening() {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), port), 500);
      return true;
    } catch (IOException closed) {
      return false;
    }
  }

  private static long size(Path f) {
    try {
      return Files.exists(f) ? Files.size(f) : 0;
    } catch (IOException e) {
      return 0;
    }
  }

  /** The last lines of {@code f} (up to 4 KiB), or a note that there are none. */
  private static String tail(Path f) {
    try {
      if (!Files.exists(f)) {
        return "(no log written)";
      }
      byte[] all = Files.readAllBytes(f);
      int from = Math.max(0, all.length - 4096);
      return new String(all, from, all.length - from, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(cannot read: " + e + ")";
    }
  }

  /** SIGKILLs the broker process (its data stays for {@link #start()}). */
  public synchronized void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor();
    }
  }

  /** Stops the broker cleanly (SIGTERM: controlled shutdown), SIGKILL after 30 s. */
  public synchronized void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        process.waitFor();
      }
    }
  }

  /** Whether the broker process is running. */
  public synchronized boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** The broker's process id, while it runs. */
  public synchronized long pid() {
    return process.pid();
  }

  @Override
  public void close() throws InterruptedException {
    stop();
  }

  private String config() {
    Map<String, String> c = new java.util.LinkedHashMap<>();
    c.put("process.roles", "broker,controller");
    c.put("node.id", "1");
    c.put("controller.quorum.voters", "1@127.0.0.1:" + controllerPort);
    c.put("listeners", "PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort);
    c.put("advertised.listeners", "PLAINTEXT://127.0.0.1:" + port);
    c.put("controller.listener.names", "CONTROLLER");
    c.put("inter.broker.listener.name", "PLAINTEXT");
    c.put("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT");
    c.put("log.dirs", dir.resolve("data").toString());
    c.put("num.partitions", "1");
    c.put("auto.create.topics.enable", "false");
    // one node: the internal topics cannot have more than one replica
    c.put("offsets.topic.replication.factor", "1");
    c.put("offsets.topic.num.partitions", "4");
    c.put("transaction.state.log.replication.factor", "1");
    c.put("transaction.state.log.min.isr", "1");
    c.put("transaction.state.log.num.partitions", "4");
    c.put("share.coordinator.state.topic.replication.factor", "1");
    c.put("share.coordinator.state.topic.min.isr", "1");
    c.put("group.initial.rebalance.delay.ms", "0");
    c.putAll(overrides);
    StringBuilder s = new StringBuilder("# written by onceflow's LocalKafkaBroker\n");
    c.forEach((k, v) -> s.append(k).append('=').append(v).append('\n'));
    return s.toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
