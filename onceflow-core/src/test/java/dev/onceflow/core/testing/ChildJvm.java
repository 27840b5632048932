package dev.onceflow.core.testing;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A child JVM on the test class path whose stdout lines the test reads, to be killed with SIGKILL. */
public final class ChildJvm implements AutoCloseable {
  /** Returned by {@link #next()} once the child's stdout closed (it exited or was killed). */
  public static final String EOF = "\u0000EOF";

  private final Process process;
  private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();

  /** Starts {@code main} with {@code args}; stderr is appended to {@code stderr}. */
  public ChildJvm(Class<?> main, Path stderr, String... args) throws java.io.IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1", "-cp",
        System.getProperty("java.class.path"), "-Dorg.slf4j.simpleLogger.defaultLogLevel=info", main.getName()));
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(stderr.toFile())).start();
    Thread pump = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        for (String l; (l = r.readLine()) != null; ) {
          lines.add(l);
        }
      } catch (java.io.IOException e) {
        // the child was killed
      } finally {
        lines.add(EOF);
      }
    }, "child-stdout");
    pump.setDaemon(true);
    pump.start();
  }

  /** The next line, or {@link #EOF}; fails after a generous deadline (a hung child). */
  public String next() throws InterruptedException {
    String l = lines.poll(120, TimeUnit.SECONDS);
    assertNotNull(l, "the child printed nothing for 120 s");
    return l;
  }

  /** SIGKILL (on POSIX), then waits for the process to be gone. */
  public void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  /** Waits for the exit code. */
  public int exitCode() throws InterruptedException {
    return process.waitFor();
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
