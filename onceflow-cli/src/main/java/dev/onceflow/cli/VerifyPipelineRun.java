package dev.onceflow.cli;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.ChildFailedException;
import dev.onceflow.verify.custom.Verification;
import dev.onceflow.verify.custom.VerificationReport;
import java.io.PrintWriter;
import java.time.Duration;
import picocli.CommandLine;

/** {@code onceflow verify --pipeline CLASS [--classpath CP]}: a user's {@code VerifiableJob} under SIGKILL. */
final class VerifyPipelineRun {
  private VerifyPipelineRun() {}

  static int run(VerifyCommand o, CommandLine cmd) throws InterruptedException {
    if (o.events > Integer.MAX_VALUE) {
      throw new CommandLine.ParameterException(cmd, "--events must be at most " + Integer.MAX_VALUE + " with"
          + " --pipeline, was " + o.events);
    }
    Guarantee g = VerifyCommand.parseGuarantee(cmd, o.guarantee);
    dev.onceflow.verify.Nemeses n = o.nemeses(cmd);
    if (n.retention() || n.guaranteeChange() || n.skewed()) {
      throw new CommandLine.ParameterException(cmd, "--pipeline takes the nemeses --rescale and --freezes N;"
          + " --retention, --guarantee-change and --skewed are the built-in jobs' only");
    }
    VerificationReport r;
    try {
      Verification v = Verification.of(o.pipeline).classPath(o.classpath).guarantee(g).events((int) o.events)
          .crashes(o.crashes).seed(o.seed).partitions(o.partitions).parallelism(o.parallelism)
          .checkpointInterval(Duration.ofMillis(o.checkpointInterval)).faults(o.faults).workDir(o.workDir)
          .rescale(n.rescale()).freezes(n.freezes());
      r = v.run();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    } catch (ChildFailedException e) {
      PrintWriter err = cmd.getErr();
      err.println("onceflow verify: the pipeline failed (an exception in it or an environment error, not a checked"
          + " promise): " + e.getMessage());
      err.flush();
      return 1;
    }
    PrintWriter out = cmd.getOut();
    out.print(o.json ? r.toJson() + System.lineSeparator() : r.toText());
    out.flush();
    return r.promiseHeld() ? 0 : 1;
  }
}
