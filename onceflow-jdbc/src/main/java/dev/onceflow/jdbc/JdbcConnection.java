package dev.onceflow.jdbc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Where a JDBC sink connects: a JDBC URL with properties, or a {@link DataSource}. Credentials come from the
 * properties, the URL, the DataSource or the environment ({@code PGUSER} / {@code PGPASSWORD} when the properties
 * name no user / password); they are never logged, printed or written into checkpoints ({@link #toString()} shows
 * the URL without its query string).
 */
public final class JdbcConnection {
  private final String url;
  private final Properties properties;
  private final DataSource dataSource;

  private JdbcConnection(String url, Properties properties, DataSource dataSource) {
    this.url = url;
    this.properties = properties;
    this.dataSource = dataSource;
  }

  /** Connects with {@link DriverManager} to {@code url} with a copy of {@code properties}. */
  public static JdbcConnection url(String url, Properties properties) {
    Objects.requireNonNull(url, "url");
    Properties p = new Properties();
    if (properties != null) {
      p.putAll(properties);
    }
    String envUser = System.getenv("PGUSER");
    if (!p.containsKey("user") && envUser != null && !url.contains("user=")) {
      p.setProperty("user", envUser);
    }
    String envPassword = System.getenv("PGPASSWORD");
    if (!p.containsKey("password") && envPassword != null && !url.contains("password=")) {
      p.setProperty("password", envPassword);
    }
    // a server that went away must not hang the connect forever; statements keep no timeout (long transactions)
    p.putIfAbsent("connectTimeout", "10");
    p.putIfAbsent("ApplicationName", "onceflow");
    return new JdbcConnection(url, p, null);
  }

  /** Connects with {@code url} alone (user and password in the URL or the environment). */
  public static JdbcConnection url(String url) {
    return url(url, null);
  }

  /** Takes connections from {@code dataSource} (a pool is fine: each writer holds one connection while it runs). */
  public static JdbcConnection dataSource(DataSource dataSource) {
    return new JdbcConnection(null, null, Objects.requireNonNull(dataSource, "dataSource"));
  }

  /** Opens a new connection (autocommit as the source gives it; the sinks set what they need). */
  public Connection open() throws SQLException {
    return dataSource != null ? dataSource.getConnection() : DriverManager.getConnection(url, properties);
  }

  /** The URL without its query string (which may hold a password), or the DataSource's class. */
  @Override
  public String toString() {
    if (dataSource != null) {
      return "DataSource " + dataSource.getClass().getName();
    }
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
