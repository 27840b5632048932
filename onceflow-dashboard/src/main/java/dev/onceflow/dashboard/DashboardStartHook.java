package dev.onceflow.dashboard;

import dev.onceflow.core.JobHandle;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.metrics.PipelineStartHook;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a dashboard for every pipeline a JVM starts when it runs with {@code -Donceflow.dashboard=PORT} (or {@code
 * HOST:PORT}; the host defaults to 127.0.0.1): one server per JVM, showing the pipeline started last. A port that
 * cannot be bound (another process holds it) leaves the job without a dashboard, with a warning: it never fails the
 * job. Registered in {@code META-INF/services}.
 */
public final class DashboardStartHook implements PipelineStartHook {
  /** The system property naming the dashboard's port (or host:port). */
  public static final String PROPERTY = "onceflow.dashboard";
  private static final Logger LOG = LoggerFactory.getLogger(DashboardStartHook.class);
  private static Dashboard shared;
  private static boolean failed;

  /** Used by {@link java.util.ServiceLoader}. */
  public DashboardStartHook() {}

  @Override
  public void beforeStart(Pipeline pipeline) {
    Dashboard d = shared();
    if (d != null) {
      d.attach(pipeline);
    }
  }

  @Override
  public void started(Pipeline pipeline, JobHandle handle) {
    Dashboard d = shared();
    if (d != null) {
      d.watch(handle);
    }
  }

  /** The address of this JVM's dashboard, once the first pipeline started with the property set has started it. */
  public static synchronized java.util.Optional<java.net.URI> url() {
    return shared == null ? java.util.Optional.empty() : java.util.Optional.of(shared.url());
  }

  private static synchronized Dashboard shared() {
    String spec = System.getProperty(PROPERTY);
    if (spec == null || spec.isBlank() || failed) {
      return null;
    }
    if (shared == null) {
      try {
        shared = Dashboard.start(address(spec.trim()));
        LOG.info("Onceflow dashboard: {}", shared.url());
      } catch (RuntimeException e) {
        failed = true;
        LOG.warn("No dashboard for this JVM ({}={}): {}", PROPERTY, spec, e.getMessage());
      }
    }
    return shared;
  }

  /**
   * Parses a {@value #PROPERTY} value: PORT (on 127.0.0.1) or HOST:PORT.
   *
   * @throws IllegalArgumentException naming the property and the value when it is neither
   */
  public static InetSocketAddress address(String spec) {
    int colon = spec.lastIndexOf(':');
    String host = colon < 0 ? null : spec.substring(0, colon);
    String port = colon < 0 ? spec : spec.substring(colon + 1);
    int p;
    try {
      p = Integer.parseInt(port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(PROPERTY + " must be PORT or HOST:PORT, was '" + spec + "'");
    }
    try {
      return new InetSocketAddress(host == null ? InetAddress.getLoopbackAddress() : InetAddress.getByName(host), p);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(PROPERTY + ": unknown host '" + host + "'", e);
    }
  }
}
