package dev.onceflow.jdbc.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A throwaway PostgreSQL server started from the machine's PostgreSQL binaries ({@code initdb}, {@code pg_ctl}): for
 * tests and for a user trying Onceflow ({@code onceflow postgres}). It listens on the loopback address only, on a free
 * or given port, with {@code max_prepared_transactions} &gt; 0 (two-phase sinks need it), {@code fsync} on, and
 * {@code trust} authentication for its one user {@code onceflow}: never use it for data you want to keep safe from
 * other local users.
 *
 * <p>{@code initdb} refuses to run as root; when this JVM runs as root the server runs as the {@code postgres} user
 * (through {@code runuser}) and its data directory is handed to that user. The binaries are found in
 * {@code $ONCEFLOW_PG_BIN}, then {@code pg_config --bindir}, then the newest {@code /usr/lib/postgresql/<v>/bin}; on
 * Debian, {@code apt-get install postgresql} provides them.
 *
 * <p>{@link #close()} stops the server (fast shutdown); a JVM shutdown hook stops it too if the JVM exits first. A
 * SIGKILLed JVM leaves the server running: {@link #start} on the same directory stops a leftover server first.
 */
public final class LocalPostgres implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalPostgres.class);
  /** The superuser initdb creates; the JDBC URL names it. */
  public static final String USER = "onceflow";
  /** The database the URL names (initdb's default). */
  public static final String DATABASE = "postgres";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(120);

  private final Path binDir;
  private final Path dataDir;
  private final Path logFile;
  private final int port;
  private final boolean asPostgresUser;
  private final Thread shutdownHook;
  private volatile boolean running;

  private LocalPostgres(Path binDir, Path dataDir, Path logFile, int port, boolean asPostgresUser) {
    this.binDir = binDir;
    this.dataDir = dataDir;
    this.logFile = logFile;
    this.port = port;
    this.asPostgresUser = asPostgresUser;
    this.shutdownHook = new Thread(this::stopQuietly, "onceflow-postgres-stop-" + port);
  }

  /**
   * Initialises (if {@code dir/data} does not hold a cluster yet) and starts a server whose files live under {@code
   * dir}, on {@code port} (0: a free one).
   *
   * @throws IOException if the binaries are missing, initdb or pg_ctl fail (the message quotes their output and the
   *     server log), or the server does not accept connections within two minutes
   */
  public static LocalPostgres start(Path dir, int port) throws IOException {
    return start(dir, port, java.util.Map.of());
  }

  /**
   * As {@link #start(Path, int)}, with extra {@code postgresql.conf} settings (written when the cluster is created;
   * they override the defaults above, e.g. {@code max_prepared_transactions = 0} to test a refusal).
   */
  public static LocalPostgres start(Path dir, int port, java.util.Map<String, String> settings) throws IOException {
    Path bin = findBinaries();
    boolean root = isRoot();
    Path base = dir.toAbsolutePath();
    Files.createDirectories(base);
    Path data = base.resolve("data");
    Path log = base.resolve("postgres.log");
    int p = port == 0 ? freePort() : port;
    LocalPostgres pg = new LocalPostgres(bin, data, log, p, root);
    pg.initAndStart(settings);
    return pg;
  }

  /** Starts a server in a new temporary directory (removed by {@link #close()}) on a free port. */
  public static LocalPostgres startTemporary() throws IOException {
    return startTemporary(java.util.Map.of());
  }

  /** As {@link #startTemporary()}, with extra settings (see {@link #start(Path, int, java.util.Map)}). */
  public static LocalPostgres startTemporary(java.util.Map<String, String> settings) throws IOException {
    Path dir = Files.createTempDirectory("onceflow-pg-");
    // createTempDirectory makes a 0700 directory: the postgres user must be able to enter it
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    LocalPostgres pg = start(dir, 0, settings);
    pg.deleteOnClose = dir;
    return pg;
  }

  private Path deleteOnClose;

  /** The JDBC URL of the server's database, with the user; no password is needed (loopback trust). */
  public String jdbcUrl() {
    return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE + "?user=" + USER;
  }

  /** The port the server listens on (127.0.0.1). */
  public int port() {
    return port;
  }

  /** The data directory. */
  public Path dataDirectory() {
    return dataDir;
  }

  /** The server's log file (pg_ctl -l). */
  public Path logFile() {
    return logFile;
  }

  /** Opens a new connection (autocommit on). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(jdbcUrl(), new Properties());
  }

  /** True while the server runs (started by this object and not stopped). */
  public boolean isRunning() {
    return running;
  }

  /** Stops the server (fast shutdown: sessions are ended, prepared transactions and committed data survive). */
  public void stop() throws IOException {
    if (!running) {
      return;
    }
    pgCtl("stop", "-m", "fast", "-w", "-t", "60");
    running = false;
  }

  /**
   * Simulates a server crash: stops with {@code -m immediate} (no checkpoint; crash recovery on the next start) and
   * starts again on the same port. Open sessions get connection errors; committed and prepared transactions survive.
   */
  public void crashAndRestart() throws IOException {
    pgCtl("stop", "-m", "immediate", "-w", "-t", "60");
    running = false;
    startServer();
  }

  /** Starts a stopped server again on the same port and directory. */
  public void restart() throws IOException {
    stop();
    startServer();
  }

  @Override
  public void close() throws IOException {
    try {
      stop();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // the JVM is shutting down: the hook runs anyway
      }
      if (deleteOnClose != null) {
        deleteTree(deleteOnClose);
      }
    }
  }

  private void initAndStart(java.util.Map<String, String> settings) throws IOException {
    if (!Files.exists(dataDir.resolve("PG_VERSION"))) {
      Files.createDirectories(dataDir);
      Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwx------"));
      if (asPostgresUser) {
        chownToPostgres(dataDir);
        chownToPostgres(dataDir.getParent()); // the server log is written there
        requireReachable();
      }
      run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "-U", USER, "--auth=trust",
          "-E", "UTF8", "--locale=C"), Duration.ofMinutes(3), "initdb");
      // loopback only; no Unix socket (its default directory may not be writable here)
      String conf = String.join("\n",
          "",
          "# added by onceflow LocalPostgres",
          "listen_addresses = '127.0.0.1'",
          "unix_socket_directories = ''",
          "max_prepared_transactions = 64",
          "max_connections = 100",
          "fsync = on",
          "shared_buffers = 64MB",
          "") + "\n";
      StringBuilder extra = new StringBuilder();
      settings.forEach((k, v) -> extra.append(k).append(" = '").append(v.replace("'", "''")).append("'\n"));
      conf += extra;
      Files.writeString(dataDir.resolve("postgresql.conf"), conf, StandardCharsets.UTF_8,
          java.nio.file.StandardOpenOption.APPEND);
    } else if (Files.exists(dataDir.resolve("postmaster.pid"))) {
      // a server left running by a killed JVM: stop it (or pg_ctl clears a stale pid file on start)
      pgCtlQuiet("stop", "-m", "fast", "-w", "-t", "60");
    }
    startServer();
  }

  private void startServer() throws IOException {
    try {
      pgCtl("start", "-w", "-t", Long.toString(START_TIMEOUT.toSeconds()), "-l", logFile.toString(), "-o",
          "-p " + port);
    } catch (IOException e) {
      throw new IOException(e.getMessage() + "\nServer log " + logFile + ":\n" + tail(logFile), e);
    }
    running = true;
    try {
      Runtime.getRuntime().addShutdownHook(shutdownHook);
    } catch (IllegalArgumentException e) {
      // already registered (restart)
    }
    awaitConnectable();
    LOG.info("PostgreSQL started: {} (data {})", jdbcUrl(), dataDir);
  }

  private void awaitConnectable() throws IOException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    SQLException last = null;
    while (System.nanoTime() < deadline) {
      try (Connection c = connect()) {
        return;
      } catch (SQLException e) {
        last = e;
        try {
          Thread.sleep(50); // polling a condition (server accepts) with a deadline
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted waiting for PostgreSQL on port " + port, ie);
        }
      }
    }
    throw new IOException("PostgreSQL on port " + port + " did not accept connections within " + START_TIMEOUT
        + ": " + last + "\nServer log:\n" + tail(logFile));
  }

  private void stopQuietly() {
    if (running) {
      try {
        pgCtl("stop", "-m", "fast", "-w", "-t", "30");
        running = false;
      } catch (IOException e) {
        System.err.println("onceflow: could not stop PostgreSQL in " + dataDir + ": " + e.getMessage());
      }
    }
  }

  private void pgCtl(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binDir.resolve("pg_ctl").toString());
    cmd.add("-D");
    cmd.add(dataDir.toString());
    cmd.addAll(List.of(args));
    run(cmd, Duration.ofMinutes(3), "pg_ctl " + args[0]);
  }

  private void pgCtlQuiet(String... args) {
    try {
      pgCtl(args);
    } catch (IOException e) {
      LOG.debug("pg_ctl {} failed (ignored): {}", args[0], e.getMessage());
    }
  }

  private String run(List<String> command, Duration timeout, String what) throws IOException {
    List<String> cmd = new ArrayList<>();
    if (asPostgresUser) {
      cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
    }
    cmd.addAll(command);
    Path out = Files.createTempFile("onceflow-pg-cmd-", ".out");
    try {
      // pg_ctl start leaves the server holding its stdout: send it to a file, never to a pipe we would wait on
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      boolean done;
      try {
        done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        p.destroyForcibly();
        Thread.currentThread().interrupt();
        throw new IOException(what + " interrupted", e);
      }
      String output = Files.readString(out, StandardCharsets.UTF_8);
      if (!done) {
        p.destroyForcibly();
        throw new IOException(what + " did not finish within " + timeout + ": " + String.join(" ", cmd) + "\n"
            + output);
      }
      if (p.exitValue() != 0) {
        throw new IOException(what + " failed (exit " + p.exitValue() + "): " + String.join(" ", cmd) + "\n"
            + output);
      }
      return output;
    } finally {
      Files.deleteIfExists(out);
    }
  }

  private void requireReachable() throws IOException {
    try {
      run(List.of("test", "-w", dataDir.toString()), Duration.ofSeconds(30), "access check");
    } catch (IOException e) {
      throw new IOException("the postgres user cannot write " + dataDir + ": make its parent directories "
          + "traversable (chmod o+x) or choose a directory under /tmp", e);
    }
  }

  /** The PostgreSQL binaries' directory, or an IOException that says how to install them. */
  public static Path findBinaries() throws IOException {
    String env = System.getenv("ONCEFLOW_PG_BIN");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (Files.isExecutable(p.resolve("initdb"))) {
        return p;
      }
      throw new IOException("ONCEFLOW_PG_BIN=" + env + " has no executable initdb");
    }
    Optional<Path> fromConfig = pgConfigBindir();
    if (fromConfig.isPresent()) {
      return fromConfig.get();
    }
    Path lib = Path.of("/usr/lib/postgresql");
    if (Files.isDirectory(lib)) {
      try (Stream<Path> versions = Files.list(lib)) {
        Optional<Path> best = versions.map(v -> v.resolve("bin"))
            .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
            .max(Comparator.comparingInt(LocalPostgres::majorVersion));
        if (best.isPresent()) {
          return best.get();
        }
      }
    }
    throw new IOException("PostgreSQL server binaries (initdb, pg_ctl) not found: install them "
        + "(Debian: apt-get install -y postgresql) or set ONCEFLOW_PG_BIN to their directory");
  }

  private static Optional<Path> pgConfigBindir() {
    try {
      Process p = new ProcessBuilder("pg_config", "--bindir").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        Path bin = Path.of(out);
        // Debian's pg_config may come from libpq-dev and name a directory without the server
        if (Files.isExecutable(bin.resolve("initdb")) && Files.isExecutable(bin.resolve("pg_ctl"))) {
          return Optional.of(bin);
        }
      }
    } catch (IOException e) {
      // no pg_config on the PATH
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return Optional.empty();
  }

  private static int majorVersion(Path bin) {
    try {
      return Integer.parseInt(bin.getParent().getFileName().toString().replaceAll("[^0-9].*", ""));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private static boolean isRoot() {
    if (!System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux")) {
      return false;
    }
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid", LinkOption.NOFOLLOW_LINKS);
      return Integer.valueOf(0).equals(uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  private static void chownToPostgres(Path p) throws IOException {
    UserPrincipalLookupService lookup = p.getFileSystem().getUserPrincipalLookupService();
    UserPrincipal user;
    GroupPrincipal group;
    try {
      user = lookup.lookupPrincipalByName("postgres");
      group = lookup.lookupPrincipalByGroupName("postgres");
    } catch (IOException e) {
      throw new IOException("running as root, but there is no 'postgres' user to run the server as (initdb refuses "
          + "root): install the postgresql package, which creates it", e);
    }
    PosixFileAttributeView view = Files.getFileAttributeView(p, PosixFileAttributeView.class);
    view.setOwner(user);
    view.setGroup(group);
  }

  /** A free TCP port on the loopback address (free now; the server binds it a moment later). */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
    } catch (IOException e) {
      return "(no log at " + file + ")";
    }
  }

  private static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(root)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      LOG.warn("Could not delete {}: {}", root, e.getMessage());
    }
  }
}
