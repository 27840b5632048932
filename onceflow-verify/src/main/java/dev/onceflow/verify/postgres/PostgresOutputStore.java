package dev.onceflow.verify.postgres;

import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.jdbc.server.LocalPostgres;
import dev.onceflow.verify.ChildIo;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.OutputRecord;
import dev.onceflow.verify.OutputStore;
import dev.onceflow.verify.VerifyOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A verification's output in a PostgreSQL table, written by one of onceflow-jdbc's sinks ({@link PostgresSinkMode})
 * and read back committed, the way any SQL reader sees it. The server is the one {@link PostgresIo#URL} names, or a
 * throwaway {@link LocalPostgres} this store starts and stops on {@link #close()}.
 *
 * <p>Lingering transactions are this verification's gids in {@code pg_prepared_xacts} (two-phase prepared and never
 * decided). Credentials come only from the environment ({@code PGUSER}, {@code PGPASSWORD}) or the server's trust
 * authentication: the URL must hold no password, since the children receive it on their command line.
 */
public final class PostgresOutputStore implements OutputStore {
  private static final Logger LOG = LoggerFactory.getLogger(PostgresOutputStore.class);

  private final Job job;
  private final PostgresSinkMode mode;
  private final String prefix;
  private final Path workDir;
  private final LocalPostgres server;
  private final String url;
  private final JobTable shape;

  /**
   * Opens the store for {@code options} (its job, guarantee and io settings) whose work directory is
   * {@code workDir}; starts a throwaway server if the settings name no URL.
   *
   * @throws IllegalArgumentException for an unknown mode, a URL with a password, or a mode that cannot hold the
   *     job's promise ({@link PostgresSinkMode#refusal})
   * @throws UncheckedIOException if the throwaway server cannot start (no PostgreSQL binaries: install the
   *     {@code postgresql} package, or pass --jdbc-url)
   */
  public PostgresOutputStore(VerifyOptions options, Path workDir) {
    Map<String, String> settings = options.io().settings();
    this.job = options.job();
    this.mode = PostgresIo.mode(settings, job, options.guarantee());
    mode.refusal(job, options.guarantee()).ifPresent(why -> {
      throw new IllegalArgumentException(why);
    });
    this.workDir = workDir;
    this.prefix = PostgresIo.prefix(workDir);
    this.shape = JobTable.of(job);
    String given = settings.get(PostgresIo.URL);
    if (given != null) {
      this.url = PostgresIo.checkUrl(given);
      this.server = null;
    } else {
      try {
        this.server = LocalPostgres.startTemporary();
      } catch (IOException e) {
        throw new UncheckedIOException("verify --sink postgres: cannot start a throwaway PostgreSQL server ("
            + e.getMessage() + "); install the postgresql package or pass --jdbc-url", e);
      }
      this.url = server.jdbcUrl();
    }
  }

  /** The table the job's output goes to. */
  public String table() {
    return PostgresIo.table(prefix, job);
  }

  /** The sink mode. */
  public PostgresSinkMode mode() {
    return mode;
  }

  private Connection connect() throws SQLException {
    return JdbcConnection.url(url).open();
  }

  /**
   * Starts clean under this verification's names: rolls back its prepared transactions and drops its tables left by
   * an earlier run in the same work directory, then creates the job's table shaped for the mode.
   */
  @Override
  public void create(Job job, int partitions) {
    String progress = PostgresIo.progressTable(prefix);
    try (Connection c = connect(); Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      for (String gid : gids(c)) {
        s.execute("ROLLBACK PREPARED '" + gid + "'"); // gids are [a-z0-9_] (checked in gids)
      }
      for (String t : List.of(table(), progress, progress + "_2pc")) {
        s.execute("DROP TABLE IF EXISTS " + JobTable.quote(t));
      }
      s.execute(shape.createSql(table(), mode));
      for (String seed : shape.seedSql(table())) {
        s.execute(seed);
      }
    } catch (SQLException e) {
      throw new IllegalStateException("verify --sink postgres: cannot create table " + table() + " at "
          + PostgresIo.redact(url) + " (SQLSTATE " + e.getSQLState() + "): " + e.getMessage(), e);
    }
    LOG.info("verify: {} output in table {} ({}), at {}", job.cliName(), table(), mode.cliName(),
        PostgresIo.redact(url));
  }

  @Override
  public Map<String, String> childSettings() {
    Map<String, String> m = new TreeMap<>();
    m.put(PostgresIo.URL, url);
    m.put(PostgresIo.MODE, mode.cliName());
    m.put(PostgresIo.PREFIX, prefix);
    // a database connection can fail an attempt (server restart, terminated backend); recovery is the fix
    m.put(ChildIo.RESTARTS, "true");
    return m;
  }

  @Override
  public List<OutputRecord> readCommitted(Job job) {
    List<OutputRecord> out;
    try (Connection c = connect(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(shape.selectSql(table()))) {
      out = shape.read(rs);
    } catch (SQLException e) {
      throw new IllegalStateException("verify --sink postgres: cannot read table " + table() + " (SQLSTATE "
          + e.getSQLState() + "): " + e.getMessage(), e);
    }
    // the rows stay in the work directory (kept when the promise broke) after a throwaway server is gone
    try {
      Files.write(workDir.resolve(table() + ".jsonl"), out.stream()
          .map(r -> r.key() == null ? r.value() : r.key() + "\t" + r.value()).toList(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      LOG.warn("verify: could not keep the rows of {} in {}: {}", table(), workDir, e.toString());
    }
    return out;
  }

  @Override
  public int lingeringTransactions() {
    try (Connection c = connect()) {
      return gids(c).size();
    } catch (SQLException e) {
      throw new IllegalStateException("verify --sink postgres: cannot read pg_prepared_xacts (SQLSTATE "
          + e.getSQLState() + "): " + e.getMessage(), e);
    }
  }

  private List<String> gids(Connection c) throws SQLException {
    List<String> gids = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT gid FROM pg_prepared_xacts WHERE database = "
        + "current_database() AND starts_with(gid, ?)")) {
      ps.setString(1, PostgresIo.gidPrefix(prefix, job));
      try (ResultSet r = ps.executeQuery()) {
        while (r.next()) {
          if (r.getString(1).matches("[a-z0-9_]+")) {
            gids.add(r.getString(1));
          }
        }
      }
    }
    return gids;
  }

  /** Stops the throwaway server (its files are removed); a server named by URL is left as it is. */
  @Override
  public void close() {
    if (server != null) {
      try {
        server.close();
      } catch (IOException e) {
        LOG.warn("verify: could not stop the throwaway PostgreSQL server: {}", e.toString());
      }
    }
  }
}
