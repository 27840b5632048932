package dev.onceflow.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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

  /**
   * A job that is only in --classpath, with a keyed function core copies by Java serialisation: loaded from a class
   * loader of its own in the child, it failed with ClassNotFoundException for its function; the child now gets it on
   * its class path.
   */
  @Test
  void verifiesAPipelineThatIsOnlyInTheGivenClassPath(@TempDir Path dir) throws Exception {
    Path src = dir.resolve("src/com/acme/CountJob.java");
    Files.createDirectories(src.getParent());
    Files.writeString(src, """
        package com.acme;
        import dev.onceflow.core.*;
        import dev.onceflow.core.serialization.Serializers;
        import dev.onceflow.core.source.Source;
        import dev.onceflow.core.state.*;
        import dev.onceflow.verify.custom.*;
        import java.util.*;
        public class CountJob implements VerifiableJob {
          static final class Count extends KeyedProcessFunction<String, String, String> {
            transient ValueState<Long> n;
            public void open(KeyedStateStore s) { n = s.valueState("n", Serializers.LONG); }
            public void processElement(String v, Context<String> c, Collector<String> out) {
              long k = n.value() == null ? 1 : n.value() + 1;
              n.update(k);
              out.collect(v + "#" + k);
            }
          }
          public List<String> input(long seed, int events) {
            List<String> l = new ArrayList<>();
            for (int i = 0; i < events; i++) l.add("k" + i);
            return l;
          }
          public void build(Pipeline p, Source<String> source, Sinks sinks) {
            p.source(source).keyBy(v -> v).process(new Count()).sinkTo(sinks.forGuarantee());
          }
          public Expectation expect(List<String> input) {
            return Expectation.records(input.stream().map(v -> v + "#1").toList());
          }
        }
        """);
    Path classes = Files.createDirectories(dir.resolve("classes"));
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    assertEquals(0, javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d",
        classes.toString(), src.toString()));
    int code = run("verify", "--pipeline", "com.acme.CountJob", "--classpath", classes.toString(), "--guarantee",
        "exactly-once", "--events", "3000", "--crashes", "1", "--json");
    assertEquals(0, code, out + " " + err);
    assertTrue(out.toString().contains("\"exact\":true"), out.toString());
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
