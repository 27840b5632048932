package dev.onceflow.verify.postgres;

import dev.onceflow.core.Guarantee;
import dev.onceflow.jdbc.internal.SubtaskKey;
import dev.onceflow.verify.Job;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The names of the PostgreSQL output store: its settings (the {@code postgres.*} keys of
 * {@link dev.onceflow.verify.IoOptions#settings()}, passed to the children as {@code io.postgres.*}) and the database
 * objects of one verification. Every object is named after a hash of the verification's work directory, so
 * verifications sharing a server never see each other's tables, progress rows or prepared transactions.
 */
public final class PostgresIo {
  /** The output store's name: {@code verify --sink postgres}. */
  public static final String STORE = "postgres";
  /** Setting: the sink mode ({@link PostgresSinkMode#cliName()}); default {@link PostgresSinkMode#defaultFor}. */
  public static final String MODE = "postgres.mode";
  /**
   * Setting: the JDBC URL of the database to write to; absent = the store starts its own throwaway server. It is
   * passed to the children on their command line, so it must hold no password (use {@code PGPASSWORD}).
   */
  public static final String URL = "postgres.url";
  /** Child setting: the prefix of this verification's tables and sink name (set by the store). */
  public static final String PREFIX = "postgres.prefix";
  /** The pipeline name the verifier's jobs run under (progress rows and gids are keyed by it). */
  static String pipelineName(Job job) {
    return "verify-" + job.cliName();
  }

  private PostgresIo() {}

  /** The prefix of the verification whose work directory is {@code workDir}: {@code onceflow_verify_<12 hex>}. */
  public static String prefix(Path workDir) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(workDir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return "onceflow_verify_" + HexFormat.of().formatHex(h, 0, 6);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The output table of {@code job} in the verification with {@code prefix}. */
  public static String table(String prefix, Job job) {
    return prefix + "_" + job.cliName().replace('-', '_');
  }

  static String progressTable(String prefix) {
    return prefix + "_progress";
  }

  static String sinkName(String prefix) {
    return prefix.replace('_', '-');
  }

  /** The start of every gid this verification's two-phase sink prepares (all subtasks). */
  static String gidPrefix(String prefix, Job job) {
    String one = new SubtaskKey(pipelineName(job), sinkName(prefix), 0).gidPrefix(); // of1_<hash>_0_
    return one.substring(0, one.length() - 2);
  }

  /** The sink mode of {@code settings} for {@code job} under {@code guarantee} (the asked one). */
  static PostgresSinkMode mode(Map<String, String> settings, Job job, Guarantee guarantee) {
    String m = settings.get(MODE);
    return m == null ? PostgresSinkMode.defaultFor(job, guarantee) : PostgresSinkMode.fromName(m);
  }

  /**
   * Refuses a URL that holds a password: the children get the URL on their command line (visible to every local
   * user in the process list) and reports name it.
   */
  static String checkUrl(String url) {
    String lower = url.toLowerCase(Locale.ROOT);
    if (lower.contains("password=") || lower.matches("jdbc:postgresql://[^/?]*:[^/?@]*@.*")) {
      throw new IllegalArgumentException("--jdbc-url must not hold a password: the URL is passed to the child JVMs"
          + " on their command line. Put it in the environment (PGPASSWORD, and PGUSER for the user), which the"
          + " children inherit");
    }
    if (!lower.startsWith("jdbc:postgresql:")) {
      throw new IllegalArgumentException("--jdbc-url must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db),"
          + " was " + redact(url));
    }
    return url;
  }

  /** The URL without its query string (the way onceflow-jdbc prints connections). */
  public static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
