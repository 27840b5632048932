package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code onceflow verify --pipeline CLASS [--classpath CP]}. */
class VerifyPipelineCommandTest {
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int run(String... args) {
    CommandLine cmd = Main.commandLine();
    cmd.setOut(new PrintWriter(out, true));
    cmd.setErr(new PrintWriter(err, true));
    return cmd.execute(args);
  }

  @Test
  void verifiesAUsersPipelineUnderKills() {
    int code = run("verify", "--pipeline", UppercaseJob.class.getName(), "--guarantee", "exactly-once",
        "--events", "4000", "--crashes", "2", "--seed", "3", "--json");
    assertEquals(0, code, out + " " + err);
    String json = out.toString();
    assertTrue(json.contains("\"pipeline\":\"dev.onceflow.cli.UppercaseJob\""), json);
    assertTrue(json.contains("\"lost\":0,\"duplicated\":0,\"exact\":true"), json);
    assertTrue(json.contains("\"promise_held\":true"), json);
  }

  @Test
  void aMissingClassOrJarIsAUsageError() {
    assertEquals(2, run("verify", "--pipeline", "com.acme.Nope", "--guarantee", "exactly-once"));
    assertTrue(err.toString().contains("pipeline class com.acme.Nope not found on the class path; give its jar"
        + " with --classpath"), err.toString());
    assertEquals(2, run("verify", "--pipeline", "com.acme.Nope", "--classpath", "/no/such.jar", "--guarantee",
        "exactly-once"));
    assertTrue(err.toString().contains("class path entry /no/such.jar does not exist"), err.toString());
    assertEquals(2, run("verify", "--guarantee", "exactly-once"));
    assertTrue(err.toString().contains("Missing --job NAME"), err.toString());
  }
}
