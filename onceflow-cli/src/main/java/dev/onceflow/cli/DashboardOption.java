package dev.onceflow.cli;

import picocli.CommandLine.Option;

/**
 * {@code --dashboard PORT}: a live dashboard (and Prometheus {@code /metrics}) of the jobs a command runs, on
 * 127.0.0.1:PORT, through onceflow-dashboard's start hook. Jobs that run in child JVMs (verify, demo) serve it from the
 * child, one after the other: the page reconnects when a child restarted after a kill binds the port again.
 */
final class DashboardOption {
  @Option(names = "--dashboard", paramLabel = "PORT",
      description = "Serve a live dashboard of the running job on http://127.0.0.1:PORT/ (also /metrics for"
          + " Prometheus); HOST:PORT to bind another address.")
  String dashboard;

  /** Sets the system property the start hook reads (and the verifier passes on to its child JVMs). */
  void apply() {
    if (dashboard != null) {
      dev.onceflow.dashboard.DashboardStartHook.address(dashboard); // a bad value fails here, with its name
      System.setProperty(dev.onceflow.dashboard.DashboardStartHook.PROPERTY, dashboard);
      System.err.println("dashboard: http://" + (dashboard.contains(":") ? dashboard : "127.0.0.1:" + dashboard) + "/");
    }
  }
}
