package dev.onceflow.cli;

import dev.onceflow.log.CompletionResult;
import dev.onceflow.log.InvalidTxnStateException;
import dev.onceflow.log.Log;
import dev.onceflow.log.PreparedTransaction;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code onceflow log txn}: lists PREPARED transactions (which hold back the last stable offset until decided) and
 * lets an operator commit or abort one, named {@code <transactional id>#<sequence>}.
 */
@Command(name = "txn", mixinStandardHelpOptions = true,
    description = "List PREPARED transactions, or decide one: --commit ID#SEQ or --abort ID#SEQ.")
final class LogTxnCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;
  @CommandLine.Mixin LogDirOption logDir;

  @Option(names = "--prefix", defaultValue = "", description = "Only transactional ids starting with this.")
  String prefix;

  @Option(names = "--commit", paramLabel = "ID#SEQ", description = "Commit this prepared transaction.")
  String commit;

  @Option(names = "--abort", paramLabel = "ID#SEQ", description = "Abort this prepared transaction.")
  String abort;

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    if (commit != null && abort != null) {
      throw new CommandLine.ParameterException(cmd, "give either --commit or --abort, not both");
    }
    PrintWriter out = cmd.getOut();
    try (Log log = logDir.openExisting(cmd)) {
      List<PreparedTransaction> prepared = log.preparedTransactions(prefix);
      String target = commit != null ? commit : abort;
      if (target == null) {
        out.printf("%d prepared transaction(s)%n", prepared.size());
        for (PreparedTransaction t : prepared) {
          out.printf("%s#%d producer-id=%d epoch=%d partitions=%s%n", t.transactionalId(), t.transactionSequence(),
              t.producerId(), t.epoch(), t.partitions());
        }
        out.flush();
        return 0;
      }
      PreparedTransaction token = prepared.stream()
          .filter(t -> (t.transactionalId() + "#" + t.transactionSequence()).equals(target)).findFirst()
          .orElseThrow(() -> new CommandLine.ParameterException(cmd, "no prepared transaction " + target
              + "; list them with 'onceflow log txn --dir " + logDir.dir + "'"));
      try {
        CompletionResult r = commit != null ? log.commitPrepared(token) : log.abortPrepared(token);
        out.printf("%s: %s%n", target, r);
      } catch (InvalidTxnStateException e) {
        throw new CommandLine.ParameterException(cmd, e.getMessage());
      }
      out.flush();
    }
    return 0;
  }
}
