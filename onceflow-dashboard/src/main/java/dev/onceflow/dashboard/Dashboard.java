package dev.onceflow.dashboard;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Pipeline;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A live view of one job over HTTP: {@code /metrics} (Prometheus text format), {@code /api/state} (JSON: job graph
 * with rates, throughput, lag and backpressure series, checkpoint timeline by phase, pending sink transactions,
 * recovery log) and {@code /} (a single page that polls the API every second and draws it with ECharts).
 *
 * <p>Use: {@code Dashboard d = Dashboard.start(pipeline, 8080); JobHandle h = pipeline.start(); d.watch(h);} — start
 * the dashboard before the pipeline, since it gives the pipeline its meter registry and listener. It binds to
 * 127.0.0.1 unless another address is given, answers only GET and HEAD (nothing it serves changes the job), and shows
 * no configuration beyond the pipeline and operator names (never a connection string or credentials; exception
 * messages in the recovery log have {@code password=...}-like values masked). Closing it stops the server, not the
 * job.
 */
public final class Dashboard implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Dashboard.class);

  private final PrometheusMeterRegistry registry;
  private final Duration sampleInterval;
  private final HttpServer server;
  private final ExecutorService handlers;
  private final String echartsPath;
  private volatile DashboardState state;

  private Dashboard(InetSocketAddress address, Duration sampleInterval) throws IOException {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    this.sampleInterval = sampleInterval;
    this.state = new DashboardState("(no pipeline yet)", "-", registry, sampleInterval);
    this.echartsPath = "META-INF/resources/webjars/echarts/" + echartsVersion() + "/dist/echarts.min.js";
    this.server = HttpServer.create(address, 16);
    this.handlers = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "onceflow-dashboard-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(handlers);
    server.createContext("/", this::handle);
    server.start();
    state.start();
  }

  /** Starts a dashboard for {@code pipeline} on 127.0.0.1:{@code port} (0 = any free port; see {@link #url()}). */
  public static Dashboard start(Pipeline pipeline, int port) {
    return start(pipeline, new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
  }

  /**
   * Starts a dashboard without a pipeline yet on {@code address}; {@link #attach} one (or several in turn).
   *
   * @throws UncheckedIOException if the address cannot be bound (in use: choose another port)
   */
  public static Dashboard start(InetSocketAddress address) {
    try {
      return new Dashboard(address, Duration.ofSeconds(1));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the dashboard on " + address + ": " + e.getMessage()
          + " (is the port in use? choose another one, or 0 for any free port)", e);
    }
  }

  /**
   * Shows {@code pipeline} from now on, instead of the one shown before (whose meters are removed from the
   * registry): gives it this dashboard's meter registry and listener. Call before {@link Pipeline#start()}.
   */
  public synchronized Dashboard attach(Pipeline pipeline) {
    Objects.requireNonNull(pipeline, "pipeline");
    DashboardState next = new DashboardState(pipeline.name(), pipeline.guarantee().name(), registry, sampleInterval);
    state.stop();
    registry.clear(); // a later pipeline of the same name would otherwise find the earlier job's meters registered
    pipeline.meterRegistry(registry).listener(next);
    state = next;
    next.start();
    LOG.info("Dashboard of pipeline {} at {}", pipeline.name(), url());
    return this;
  }

  /**
   * Starts a dashboard for {@code pipeline} on {@code address} (name another address than loopback only if the
   * network may see the job's throughput and operator names). Call before {@link Pipeline#start()}.
   *
   * @throws UncheckedIOException if the address cannot be bound (in use: choose another port)
   */
  public static Dashboard start(Pipeline pipeline, InetSocketAddress address) {
    Objects.requireNonNull(pipeline, "pipeline");
    return start(address).attach(pipeline);
  }

  /** Shows {@code handle}'s status (optional: the meters work without it); the handle of the attached pipeline. */
  public Dashboard watch(JobHandle handle) {
    state.watch(Objects.requireNonNull(handle, "handle"));
    return this;
  }

  /** Where the page is, e.g. {@code http://127.0.0.1:8080/}. */
  public URI url() {
    InetSocketAddress a = server.getAddress();
    String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return URI.create("http://" + host + ":" + a.getPort() + "/");
  }

  /** The Prometheus registry the job's meters are in. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Stops the server and the sampler (the job goes on). */
  @Override
  public void close() {
    state.stop();
    server.stop(0);
    handlers.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        ex.getResponseHeaders().add("Allow", "GET, HEAD");
        send(ex, 405, "text/plain; charset=utf-8", "read-only: GET or HEAD\n".getBytes(StandardCharsets.UTF_8));
        return;
      }
      String path = ex.getRequestURI().getPath();
      switch (path) {
        case "/", "/index.html" -> send(ex, 200, "text/html; charset=utf-8", resource("dev/onceflow/dashboard/index.html"));
        case "/echarts.min.js" -> send(ex, 200, "application/javascript", resource(echartsPath));
        case "/metrics" -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8",
            registry.scrape().getBytes(StandardCharsets.UTF_8));
        case "/api/state" -> send(ex, 200, "application/json", state.json());
        default -> send(ex, 404, "text/plain; charset=utf-8",
            ("no such page: " + path + " (try /, /metrics or /api/state)\n").getBytes(StandardCharsets.UTF_8));
      }
    } catch (RuntimeException e) {
      LOG.warn("Dashboard request {} failed", ex.getRequestURI(), e);
    }
  }

  private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("Cache-Control", "no-store");
    ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
    boolean head = ex.getRequestMethod().equals("HEAD");
    ex.sendResponseHeaders(status, head ? -1 : body.length);
    if (!head) {
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  private static byte[] resource(String name) throws IOException {
    try (InputStream in = Dashboard.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException("resource " + name + " is missing from the class path (a broken onceflow-dashboard jar)");
      }
      return in.readAllBytes();
    }
  }

  private static String echartsVersion() throws IOException {
    Properties p = new Properties();
    try (InputStream in = Dashboard.class.getResourceAsStream("build.properties")) {
      if (in == null) {
        throw new IOException("dev/onceflow/dashboard/build.properties is missing (a broken onceflow-dashboard jar)");
      }
      p.load(in);
    }
    return p.getProperty("echarts.version");
  }
}
