package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class MainTest {
  @Test
  void helpExitsZero() {
    assertEquals(0, Main.run("--help"));
  }

  @Test
  void unknownSubcommandIsBadUsage() {
    assertEquals(2, Main.run("no-such-command"));
  }

  /** Every command's help renders without picocli warnings (e.g. an unescaped '%' in a description). */
  @Test
  void everyCommandsHelpRendersCleanly() {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    StringBuilder usage = new StringBuilder();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      render(Main.commandLine(), usage);
    } finally {
      System.setErr(err);
    }
    String warnings = captured.toString(StandardCharsets.UTF_8);
    assertFalse(warnings.contains("WARN"), warnings);
    assertFalse(usage.toString().contains("%n"), "a help text shows a raw %n");
  }

  private static void render(CommandLine cmd, StringBuilder out) {
    out.append(cmd.getUsageMessage());
    for (CommandLine sub : cmd.getSubcommands().values()) {
      render(sub, out);
    }
  }
}
