package dev.onceflow.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code onceflow demo}: runs the guarantee jobs under kill -9 and prints one table. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = "Shows the three guarantees surviving kill -9 (ledger and tag-count jobs).")
final class DemoCommand implements Callable<Integer> {
  @Override
  public Integer call() {
    System.err.println("onceflow demo: not built yet. The verifier (issue 5) is still under construction;"
        + " nothing has been run.");
    return 1;
  }
}
