package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.examples.Example;
import dev.onceflow.examples.Examples;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExampleCommandTest {
  @TempDir Path dir;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void listsEveryExample() {
    assertEquals(0, run("example", "--list"));
    for (Example e : Examples.all()) {
      assertTrue(out.toString().contains(e.name()), out.toString());
    }
    assertEquals(6, Examples.all().size());
  }

  @Test
  void runsAnExampleAndSaysWhereTheOutputIs() {
    assertEquals(0, run("example", "payments", "--dir", dir.toString(), "--events", "400", "--lines", "3"), err
        .toString());
    String text = out.toString();
    assertTrue(text.contains("payments (EXACTLY_ONCE): 500 input records written, 400 output records"), text);
    assertTrue(text.contains("  charged pay-"), text);
    assertTrue(text.contains("... 397 more"), text);
    assertTrue(text.contains("topic 'charges' of the log in " + dir.resolve("log")), text);

    out.getBuffer().setLength(0);
    assertEquals(0, run("example", "payments", "--dir", dir.toString()));
    assertTrue(out.toString().contains("already there (resumed on the same directory), 400 output records"),
        out.toString());
  }

  @Test
  void ordersPrintsBothOutputs() {
    assertEquals(0, run("example", "orders", "--dir", dir.toString(), "--events", "300", "--lines", "2"),
        err.toString());
    String text = out.toString();
    assertTrue(text.contains("orders (EXACTLY_ONCE): 300 input records written, 300 output records"), text);
    assertTrue(text.contains("and topic 'inventory': 23 table rows (last value per key)"), text);
    assertTrue(text.contains(" stock "), text);
  }

  @Test
  void aConnectorVariantAnExampleDoesNotHaveIsAUsageError() {
    assertEquals(2, run("example", "ledger", "--kafka", "127.0.0.1:1"));
    assertTrue(err.toString().contains("the example ledger has no Kafka variant; --kafka runs: tag-counts"),
        err.toString());
    assertEquals(2, run("example", "tag-counts", "--postgres", "jdbc:postgresql://127.0.0.1:1/x"));
    assertTrue(err.toString().contains("--postgres runs: payments, clicks"), err.toString());
  }

  @Test
  void anUnknownExampleIsAUsageErrorNamingTheExamples() {
    assertEquals(2, run("example", "nope"));
    assertTrue(err.toString().contains("Unknown example 'nope'; the examples are: tag-counts, ledger, payments"),
        err.toString());
  }
}
