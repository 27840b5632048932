package dev.onceflow.cli;

import dev.onceflow.kafka.broker.LocalKafkaBroker;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow kafka broker}: the same single-node KRaft broker the tests use (loopback only, replication 1), for
 * a user who wants to try Onceflow on Kafka without a cluster. Prints the bootstrap address; Ctrl-C stops it. The
 * data directory survives, so the same command restarts the same broker.
 */
@Command(name = "broker", mixinStandardHelpOptions = true,
    description = "Run a local single-node Kafka broker (KRaft, 127.0.0.1) with its data in --dir until Ctrl-C.")
final class KafkaBrokerCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true, description = "Data directory (created; reused on the next start).")
  Path dir;

  @Option(names = "--port", defaultValue = "0", description = "Client port on 127.0.0.1 (default: a free port).")
  int port;

  @Override
  public Integer call() throws Exception {
    LocalKafkaBroker broker = LocalKafkaBroker.create(dir.toAbsolutePath(), System.getProperty("java.class.path"),
        port, Map.of());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        broker.stop();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        stopped.countDown();
      }
    }));
    spec.commandLine().getErr().println("onceflow: starting Kafka in " + dir + " ...");
    spec.commandLine().getErr().flush();
    broker.start();
    spec.commandLine().getOut().println("bootstrap.servers=" + broker.bootstrapServers());
    spec.commandLine().getOut().flush();
    spec.commandLine().getErr().println("onceflow: Kafka is running (log: " + dir.resolve("broker.log")
        + "); Ctrl-C stops it");
    spec.commandLine().getErr().flush();
    stopped.await();
    return 0;
  }
}
