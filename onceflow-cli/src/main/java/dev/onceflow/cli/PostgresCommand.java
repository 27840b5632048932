package dev.onceflow.cli;

import dev.onceflow.jdbc.server.LocalPostgres;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code onceflow postgres}: a throwaway local PostgreSQL for trying the JDBC sinks. */
@Command(name = "postgres", mixinStandardHelpOptions = true,
    description = "Start a throwaway PostgreSQL (the machine's initdb/pg_ctl; as the postgres user when run as root) "
        + "on 127.0.0.1 with max_prepared_transactions > 0, print its JDBC URL, and stop it on Ctrl-C. Trust "
        + "authentication: for trying Onceflow, not for data to keep.")
final class PostgresCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--dir", required = true,
      description = "Directory for the cluster (created; reused when it already holds one).")
  Path dir;

  @Option(names = "--port", defaultValue = "0", description = "TCP port (default: a free one).")
  int port;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    LocalPostgres pg = LocalPostgres.start(dir, port);
    out.println(pg.jdbcUrl());
    out.println("PostgreSQL " + pg.dataDirectory() + " is running on 127.0.0.1:" + pg.port()
        + " (log " + pg.logFile() + "). Ctrl-C stops it.");
    out.flush();
    new CountDownLatch(1).await(); // until the JVM is stopped; LocalPostgres's shutdown hook stops the server
    return 0;
  }
}
