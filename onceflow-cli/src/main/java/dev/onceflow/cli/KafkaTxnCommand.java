package dev.onceflow.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TransactionDescription;
import org.apache.kafka.clients.admin.TransactionListing;
import org.apache.kafka.clients.admin.TransactionState;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code onceflow kafka txn list|abort|fence}: Kafka transactions over the Admin API, usable with the job down.
 * {@code list} shows the transactions (state, producer id and epoch, age, partitions); {@code abort ID...} and {@code
 * fence --prefix P} bump the producer epoch of the ids (Admin fenceProducers), which aborts their open transaction
 * and fences any zombie producer. A restarted Onceflow job resolves its own transactions; abort only what no
 * completed checkpoint recorded, or its output is lost (the job then fails naming the checkpoint).
 */
@Command(name = "txn", mixinStandardHelpOptions = true,
    description = "List Kafka transactions (list), or abort/fence transactional ids (abort ID..., fence --prefix P).")
final class KafkaTxnCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Parameters(index = "0", paramLabel = "ACTION", description = "list, abort or fence")
  String action;

  @Parameters(index = "1..*", paramLabel = "ID", description = "abort: the transactional ids")
  List<String> ids = new ArrayList<>();

  @Option(names = "--bootstrap-servers", required = true, description = "The cluster, host:port[,host:port].")
  String bootstrap;

  @Option(names = "--prefix", defaultValue = "", description = "Only transactional ids starting with this.")
  String prefix;

  @Option(names = "--command-config", description = "A properties file for the admin client (TLS, SASL).")
  java.nio.file.Path commandConfig;

  @Override
  public Integer call() throws Exception {
    CommandLine cmd = spec.commandLine();
    PrintWriter out = cmd.getOut();
    Properties p = new Properties();
    if (commandConfig != null) {
      try (var in = java.nio.file.Files.newInputStream(commandConfig)) {
        p.load(in);
      }
    }
    p.put("bootstrap.servers", bootstrap);
    try (Admin admin = Admin.create(p)) {
      switch (action) {
        case "list" -> {
          List<String> matching = new ArrayList<>();
          for (TransactionListing l : admin.listTransactions().all().get(60, TimeUnit.SECONDS)) {
            if (l.transactionalId().startsWith(prefix)) {
              matching.add(l.transactionalId());
            }
          }
          matching.sort(null);
          out.printf("%d transactional id(s)%n", matching.size());
          if (!matching.isEmpty()) {
            Map<String, TransactionDescription> d = admin.describeTransactions(matching).all().get(60,
                TimeUnit.SECONDS);
            long now = System.currentTimeMillis();
            for (String id : matching) {
              TransactionDescription t = d.get(id);
              String age = t.transactionStartTimeMs().isPresent()
                  ? ((now - t.transactionStartTimeMs().getAsLong()) / 1000) + "s" : "-";
              out.printf("%s state=%s producer-id=%d epoch=%d open-for=%s timeout-ms=%d partitions=%s%n", id,
                  t.state(), t.producerId(), t.producerEpoch(), t.state() == TransactionState.ONGOING ? age : "-",
                  t.transactionTimeoutMs(), t.topicPartitions());
            }
          }
        }
        case "abort", "fence" -> {
          List<String> targets = new ArrayList<>(ids);
          if (action.equals("fence")) {
            if (prefix.isEmpty() && ids.isEmpty()) {
              throw new CommandLine.ParameterException(cmd, "fence needs --prefix P or ids");
            }
            for (TransactionListing l : admin.listTransactions().all().get(60, TimeUnit.SECONDS)) {
              if (!prefix.isEmpty() && l.transactionalId().startsWith(prefix)) {
                targets.add(l.transactionalId());
              }
            }
          } else if (targets.isEmpty()) {
            throw new CommandLine.ParameterException(cmd, "abort needs the transactional ids to abort");
          }
          admin.fenceProducers(targets).all().get(60, TimeUnit.SECONDS);
          out.printf("fenced %d transactional id(s) (their open transactions are aborted): %s%n", targets.size(),
              targets);
        }
        default -> throw new CommandLine.ParameterException(cmd, "unknown action '" + action
            + "': list, abort or fence");
      }
    }
    out.flush();
    return 0;
  }
}
