package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** A run-time failure is one line (what failed, what was acknowledged, the cause), not a stack trace. */
class FailureOutputTest {
  @Command(name = "append")
  static final class DiskFull implements Callable<Integer> {
    @Override
    public Integer call() {
      throw new CommandFailedException("appending to t failed: 3000 of the 3500 lines read were acknowledged (durable)",
          new UncheckedIOException("writing segment 00000000000000000000.log failed",
              new IOException("No space left on device")));
    }
  }

  @Command(name = "plain")
  static final class PlainIo implements Callable<Integer> {
    @Override
    public Integer call() throws IOException {
      throw new IOException("No space left on device");
    }
  }

  private static String[] run(Object command, String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.addSubcommand(command);
    StringWriter err = new StringWriter();
    cmd.setErr(new PrintWriter(err));
    int code = cmd.execute(args);
    return new String[] {String.valueOf(code), err.toString()};
  }

  @Test
  void diskFullIsOneLineWithWhatWasAcknowledgedAndTheCause() {
    String[] r = run(new DiskFull(), "append");
    assertEquals("1", r[0]);
    String[] lines = r[1].strip().split("\n");
    assertEquals(1, lines.length, r[1]);
    assertTrue(lines[0].startsWith("onceflow append: appending to t failed: 3000 of the 3500 lines"), lines[0]);
    assertTrue(lines[0].contains("(cause: IOException: No space left on device)"), lines[0]);
    assertTrue(lines[0].contains("--verbose"), lines[0]);
  }

  @Test
  void anUnexpectedIoFailureIsOneLineToo() {
    String[] r = run(new PlainIo(), "plain");
    assertEquals("1", r[0]);
    assertEquals(1, r[1].strip().split("\n").length, r[1]);
    assertTrue(r[1].contains("failed: No space left on device"), r[1]);
  }

  @Test
  void verbosePrintsTheStackTrace() {
    String[] r = run(new DiskFull(), "append", "--verbose");
    assertEquals("1", r[0]);
    assertTrue(r[1].split("\n").length > 5, r[1]);
    assertTrue(r[1].contains("at dev.onceflow.cli.FailureOutputTest$DiskFull.call"), r[1]);
    assertFalse(r[1].lines().findFirst().orElse("").contains("[--verbose"), r[1]);
  }
}
