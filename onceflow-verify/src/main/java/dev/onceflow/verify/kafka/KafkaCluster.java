package dev.onceflow.verify.kafka;

import dev.onceflow.kafka.broker.LocalKafkaBroker;
import dev.onceflow.verify.IoOptions;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;

/**
 * The Kafka cluster of one verification, shared by its input and output store: the one {@code kafka.bootstrap-servers}
 * names, or else a {@link LocalKafkaBroker} started (in a separate JVM, under {@code <work>/kafka}) on first use and
 * stopped when the last store closes. Every topic and transactional id of the verification starts with a prefix of its
 * own ({@code kafka.prefix}, default {@code ofv-<random>}), so many verifications can share a cluster.
 */
final class KafkaCluster {
  private static final Map<Path, KafkaCluster> OPEN = new HashMap<>();

  private final Path workDir;
  private final String givenBootstrap;
  private final String prefix;
  private LocalKafkaBroker broker;
  private int references;

  private KafkaCluster(Path workDir, String givenBootstrap, String prefix) {
    this.workDir = workDir;
    this.givenBootstrap = givenBootstrap;
    this.prefix = prefix;
  }

  /** The cluster of the verification in {@code workDir}; {@link #release} once per call. */
  static synchronized KafkaCluster acquire(IoOptions io, Path workDir) {
    KafkaCluster c = OPEN.computeIfAbsent(workDir, w -> new KafkaCluster(w,
        io.settings().get(KafkaIo.BOOTSTRAP_SERVERS),
        io.settings().getOrDefault(KafkaIo.PREFIX, "ofv-" + UUID.randomUUID().toString().substring(0, 8))));
    c.references++;
    return c;
  }

  /** Stops the broker this verification started once no store uses it any more. */
  void release() {
    LocalKafkaBroker stop = null;
    synchronized (KafkaCluster.class) {
      if (--references == 0) {
        OPEN.remove(workDir);
        stop = broker;
        broker = null;
      }
    }
    if (stop != null) {
      try {
        stop.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** The verification's name prefix for topics and transactional ids. */
  String prefix() {
    return prefix;
  }

  /** The bootstrap servers, starting the local broker first if none were given. */
  synchronized String bootstrapServers() {
    if (givenBootstrap != null) {
      return givenBootstrap;
    }
    if (broker == null) {
      try {
        Class.forName("kafka.Kafka", false, KafkaCluster.class.getClassLoader());
      } catch (ClassNotFoundException e) {
        throw new IllegalArgumentException("--io kafka without --bootstrap-servers starts a local Kafka broker, which"
            + " needs org.apache.kafka:kafka_2.13 on the class path (the onceflow CLI has it): add it, or pass"
            + " --bootstrap-servers HOST:PORT of a running cluster");
      }
      try {
        LocalKafkaBroker b = LocalKafkaBroker.create(workDir.resolve("kafka"), System.getProperty("java.class.path"),
            0, Map.of());
        b.start();
        broker = b;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while starting the local Kafka broker", e);
      } catch (Exception e) {
        throw new IllegalStateException("cannot start the local Kafka broker in " + workDir.resolve("kafka") + ": "
            + e.getMessage(), e);
      }
    }
    return broker.bootstrapServers();
  }

  /** The settings every child needs: bootstrap servers and prefix. */
  Map<String, String> childSettings() {
    return Map.of(KafkaIo.BOOTSTRAP_SERVERS, bootstrapServers(), KafkaIo.PREFIX, prefix);
  }

  /** An admin client with timeouts for a loaded machine; the caller closes it. */
  Admin admin() {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers());
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "60000");
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "120000");
    return Admin.create(p);
  }
}
