package dev.onceflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.RestartStrategy;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.sink.FileSink;
import dev.onceflow.core.source.ReadStatus;
import dev.onceflow.core.source.Source;
import dev.onceflow.core.source.SourceContext;
import dev.onceflow.core.source.SourceOutput;
import dev.onceflow.core.source.SourceReader;
import dev.onceflow.core.testing.CheckpointCounter;
import dev.onceflow.core.testing.CountPerKey;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Like a user: a running exactly-once job with one injected failure, its dashboard in Debian's headless Chromium
 * (driven by Selenium through Debian's chromedriver). The page must show checkpoints completing, throughput moving and
 * the failure with its recovery in the recovery log.
 */
class DashboardBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final String INJECTED = "injected failure for the dashboard test";
  @TempDir Path tmp;

  @Test
  @Timeout(value = 5, unit = TimeUnit.MINUTES)
  void theDashboardOfARunningJobShowsCheckpointsThroughputAndTheRecoveryOfAFailure() throws Exception {
    ensureChromium();
    CheckpointCounter checkpoints = new CheckpointCounter();
    AtomicBoolean failed = new AtomicBoolean();
    Pipeline pipeline = Onceflow.pipeline("dashboard-test")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(300))
        .checkpointDir(tmp.resolve("ckpt"))
        .restartStrategy(RestartStrategy.fixedDelay(5, Duration.ofMillis(200)))
        .listener(checkpoints);
    try (Dashboard dashboard = Dashboard.start(pipeline, 0)) {
      pipeline.source(new PacedSource())
          .map(i -> {
            if (checkpoints.completed() >= 3 && failed.compareAndSet(false, true)) {
              throw new IllegalStateException(INJECTED);
            }
            return i;
          })
          .keyBy(i -> i % 31)
          .process(new CountPerKey())
          .sinkTo(FileSink.of(tmp.resolve("out"), Encoder.<String>utf8String()));
      JobHandle job = pipeline.start();
      dashboard.watch(job);
      try {
        checkApi(dashboard.url());
        browse(dashboard.url());
      } finally {
        job.cancel();
      }
    }
  }

  /** /metrics is Prometheus text; nothing but GET and HEAD is answered. */
  private static void checkApi(URI url) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> metrics = http.send(HttpRequest.newBuilder(url.resolve("/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.body().contains("onceflow_source_records_total{pipeline=\"dashboard-test\"}"), metrics.body());
    assertTrue(metrics.body().contains("onceflow_checkpoint_phase_duration_seconds")
        || metrics.body().contains("onceflow_checkpoints_completed_total"), metrics.body());
    // operators chained into a stage have their own counts (the map runs in the source's stage)
    assertTrue(metrics.body().contains("onceflow_operator_records_in_total{kind=\"map\""), metrics.body());
    HttpResponse<String> post = http.send(HttpRequest.newBuilder(url.resolve("/api/state"))
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
  }

  private void browse(URI url) throws Exception {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1400,1500", "--user-data-dir=" + Files.createDirectories(tmp.resolve("chromium-profile")));
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile())
        .usingAnyFreePort()
        .build();
    ChromeDriver driver = new ChromeDriver(service, options);
    try {
      driver.get(url.toString());
      WebDriverWait wait = new WebDriverWait(driver, Duration.ofSeconds(90), Duration.ofMillis(200));
      wait.ignoring(StaleElementReferenceException.class); // the page re-renders every second
      // checkpoints complete, and the count keeps advancing
      wait.until(d -> number(d.findElement(By.id("checkpoints-completed")).getText()) >= 2);
      long first = number(driver.findElement(By.id("checkpoints-completed")).getText());
      wait.until(d -> number(d.findElement(By.id("checkpoints-completed")).getText()) > first);
      // the throughput chart gains points and shows records flowing
      long points = number(driver.findElement(By.id("throughput-chart")).getAttribute("data-points"));
      wait.until(d -> number(d.findElement(By.id("throughput-chart")).getAttribute("data-points")) > points);
      wait.until(d -> lastThroughput((JavascriptExecutor) d) > 0);
      // the job graph shows each user operator, also the map chained into the source's stage
      wait.until(d -> {
        String nodes = d.findElement(By.id("graph-chart")).getAttribute("data-nodes");
        return nodes != null && nodes.contains(" map") && nodes.contains("process:CountPerKey");
      });
      // the injected failure, then the recovery from a checkpoint
      wait.until(d -> d.findElement(By.id("recovery-log")).getText().contains(INJECTED));
      // read in one script: the page replaces the rows every second, so an element found first may be gone next
      wait.until(d -> Boolean.TRUE.equals(((JavascriptExecutor) d).executeScript(
          "return [...document.querySelectorAll('#recovery-log tr.RECOVERED')]"
              + ".some(r => !r.textContent.includes('fresh start'));")));
      String log = driver.findElement(By.id("recovery-log")).getText();
      assertTrue(log.contains("ATTEMPT_FAILED"), log);
      wait.until(d -> number(d.findElement(By.id("checkpoint-chart")).getAttribute("data-bars")) >= 2);
      wait.until(d -> number(d.findElement(By.id("restarts")).getText()) >= 1);
      Path shot = Path.of("target", "dashboard-browser-test.png");
      Files.createDirectories(shot.getParent());
      Files.write(shot, ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES));
      assertTrue(Files.size(shot) > 10_000, "a screenshot of the page was saved: " + shot.toAbsolutePath());
    } finally {
      driver.quit();
    }
  }

  private static double lastThroughput(JavascriptExecutor js) {
    Object v = js.executeScript(
        "const s = echarts.getInstanceByDom(document.getElementById('throughput-chart')).getOption().series[0].data;"
            + "return s.length ? s[s.length - 1][1] : 0;");
    return v == null ? 0 : ((Number) v).doubleValue();
  }

  private static long number(String s) {
    try {
      return s == null ? -1 : (long) Double.parseDouble(s.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /**
   * Chromium and its driver are Debian packages; CI's {@code .ci/run} installs them. Here: install them when running as
   * root with apt-get, else skip with a message saying how.
   */
  private static void ensureChromium() throws Exception {
    if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
      return;
    }
    Path apt = Path.of("/usr/bin/apt-get");
    boolean root = "root".equals(System.getProperty("user.name"));
    if (root && Files.isExecutable(apt)) {
      ProcessBuilder pb = new ProcessBuilder("sh", "-c",
          "apt-get update && apt-get install -y chromium chromium-driver").inheritIO();
      pb.environment().put("DEBIAN_FRONTEND", "noninteractive");
      Process p = pb.start();
      if (!p.waitFor(10, TimeUnit.MINUTES)) {
        p.destroyForcibly();
      }
    }
    Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
        "SKIPPED: the browser test needs Debian's chromium and chromium-driver (" + CHROMIUM + ", " + CHROMEDRIVER
            + "), which are absent and could not be installed here: run 'apt-get install -y chromium chromium-driver'"
            + " as root (CI's .ci/run does)");
  }

  /** An unbounded source of longs, paced (a pause between batches) so the job runs at a few thousand records/s. */
  static final class PacedSource implements Source<Long> {
    @Override
    public String name() {
      return "paced";
    }

    @Override
    public SourceReader<Long> createReader(SourceContext context) {
      long start = context.restoredPosition().map(b -> ByteBuffer.wrap(b).getLong()).orElse(0L);
      return new SourceReader<>() {
        long next = start;

        @Override
        public ReadStatus poll(SourceOutput<Long> output, int maxRecords) {
          for (int i = 0; i < Math.min(maxRecords, 50); i++) {
            output.collect(next++ * context.parallelism() + context.subtask());
          }
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5)); // load shaping, not synchronisation
          return ReadStatus.MORE_AVAILABLE;
        }

        @Override
        public byte[] snapshotPosition() {
          return ByteBuffer.allocate(8).putLong(next).array();
        }
      };
    }
  }
}
