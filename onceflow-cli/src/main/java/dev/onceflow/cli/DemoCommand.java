package dev.onceflow.cli;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.ChildFailedException;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code onceflow demo}: runs the ledger and tag-count jobs under the three guarantees under kill -9, one table. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
        "Shows the three guarantees under kill -9: runs the ledger and tag-count jobs under at-most-once,"
            + " at-least-once and exactly-once, each in a child JVM killed with SIGKILL a few times, and prints"
            + " what the independent checker found. About a minute on 2 cores.",
        "Exit code: 0 if every promise held, 1 otherwise."})
final class DemoCommand implements Callable<Integer> {
  static final long EVENTS = 20_000;
  static final int CRASHES = 4;
  static final long SEED = 2026;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DashboardOption dashboardOption = new DashboardOption();

  @CommandLine.Option(names = "--report", paramLabel = "FILE",
      description = "Also write a self-contained HTML report (lost/duplicated bars per guarantee, kill timeline) to FILE.")
  java.nio.file.Path reportFile;

  @Override
  public Integer call() throws InterruptedException {
    dashboardOption.apply();
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    List<VerifyResult> results = new ArrayList<>();
    Guarantee[] order = {Guarantee.AT_MOST_ONCE, Guarantee.AT_LEAST_ONCE, Guarantee.EXACTLY_ONCE};
    int i = 0;
    for (Job job : new Job[] {Job.LEDGER, Job.TAG_COUNT}) {
      for (Guarantee g : order) {
        i++;
        err.printf("\r\033[K[%d/6] %s under %s: %d events, %d kills...", i, job.cliName(),
            VerifyCommand.cliName(g), EVENTS, CRASHES);
        err.flush();
        try {
          results.add(Verifier.run(VerifyOptions.of(job, g, EVENTS, CRASHES, SEED + i)));
        } catch (ChildFailedException e) {
          err.println();
          err.println("onceflow demo: the job failed (an engine or environment error): " + e.getMessage());
          err.flush();
          return 1;
        }
      }
    }
    err.print("\r\033[K");
    err.flush();
    out.println(table(results));
    if (reportFile != null) {
      try {
        VerifyReport.write(reportFile, "onceflow demo: three guarantees under kill -9", results);
        err.println("report: " + reportFile.toAbsolutePath());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot write the report " + reportFile + ": " + e.getMessage(), e);
      }
    }
    boolean allHeld = true;
    for (VerifyResult r : results) {
      allHeld &= r.promiseHeld();
      Guarantee g = r.options().guarantee();
      if (g == Guarantee.AT_MOST_ONCE && r.check().lost() == 0) {
        String why = r.options().job() == Job.TAG_COUNT
            ? "no window's row was cut off at its kills (a restart rebuilds the counts by re-reading, output"
                + " suppressed, up to the committed position)"
            : "no output was cut off at its kills";
        out.printf("note: %s under at-most-once lost nothing this time: %s (it may lose, it did not have to).%n",
            r.options().job().cliName(), why);
      }
      if (g == Guarantee.AT_LEAST_ONCE && r.check().duplicated() == 0) {
        String why = r.options().job() == Job.TAG_COUNT
            ? "no hourly window had fired between the restored checkpoint and a kill"
            : "no replayed record had already been written";
        out.printf("note: %s under at-least-once duplicated nothing this time: %s (it may duplicate, it did not"
            + " have to).%n", r.options().job().cliName(), why);
      }
      if (!r.promiseHeld()) {
        out.printf("BROKEN: %s under %s; the work directory is kept: %s; problems: %s%n", r.options().job().cliName(),
            VerifyCommand.cliName(g), r.workDir(), r.check().problems());
      }
    }
    out.println("at-most-once may lose but never repeats; at-least-once may repeat but never loses; exactly-once"
        + " neither.");
    out.println("events/s = input events / wall time of the whole run, including JVM restarts after each kill and"
        + " the source pacing (one pass ~2 s) that lets the kills land mid-run: it is not the engine's throughput.");
    out.flush();
    return allHeld ? 0 : 1;
  }

  static String table(List<VerifyResult> results) {
    StringBuilder b = new StringBuilder();
    String fmt = "%-10s %-14s %7s %8s %7s %11s %6s %14s %9s%n";
    b.append(String.format(fmt, "job", "guarantee", "events", "crashes", "lost", "duplicated", "exact",
        "promise held", "events/s"));
    for (VerifyResult r : results) {
      b.append(String.format(fmt, r.options().job().cliName(), VerifyCommand.cliName(r.options().guarantee()),
          r.options().events(), r.crashes(), r.check().lost(), r.check().duplicated(),
          r.check().exact() ? "yes" : "no", r.promiseHeld() ? "yes" : "NO",
          String.format("%.0f", r.eventsPerSecond())));
    }
    return b.toString();
  }
}
