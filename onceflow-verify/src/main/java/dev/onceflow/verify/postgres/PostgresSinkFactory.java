package dev.onceflow.verify.postgres;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.sink.Sink;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.jdbc.JdbcSink;
import dev.onceflow.jdbc.JdbcSinkBuilder;
import dev.onceflow.log.Log;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.OutputRow;
import dev.onceflow.verify.SinkFactory;
import java.util.Map;

/**
 * The child's side of {@link PostgresOutputStore}: builds the onceflow-jdbc sink of the mode into the verification's
 * table, from the {@code io.postgres.*} child arguments. The connection's credentials come from the environment.
 */
public final class PostgresSinkFactory implements SinkFactory {
  private final String url;
  private final String prefix;
  private final PostgresSinkMode mode;

  private PostgresSinkFactory(String url, String prefix, PostgresSinkMode mode) {
    this.url = url;
    this.prefix = prefix;
    this.mode = mode;
  }

  /**
   * From the child's io settings ({@link PostgresOutputStore#childSettings()}).
   *
   * @throws IllegalArgumentException naming a missing setting
   */
  public static PostgresSinkFactory fromSettings(Map<String, String> io) {
    return new PostgresSinkFactory(PostgresIo.checkUrl(require(io, PostgresIo.URL)), require(io, PostgresIo.PREFIX),
        PostgresSinkMode.fromName(require(io, PostgresIo.MODE)));
  }

  private static String require(Map<String, String> io, String key) {
    String v = io.get(key);
    if (v == null) {
      throw new IllegalArgumentException("child argument 'io." + key + "=...' is missing (the PostgreSQL output"
          + " store sets it)");
    }
    return v;
  }

  /**
   * The sink of {@code job} under the engine's {@code guarantee}.
   *
   * @throws IllegalArgumentException if the mode cannot hold for the job ({@link PostgresSinkMode#refusal})
   */
  @Override
  public Sink<OutputRow> create(Log log, String topic, Job job, Guarantee guarantee) {
    mode.refusal(job, guarantee).ifPresent(why -> {
      throw new IllegalArgumentException(why);
    });
    JobTable shape = JobTable.of(job);
    JdbcSinkBuilder<OutputRow> b = JdbcSink.<OutputRow>into(JdbcConnection.url(url), PostgresIo.table(prefix, job))
        .name(PostgresIo.sinkName(prefix))
        .columns(shape.columnNames())
        .mapper(shape.mapper(mode))
        .progressTable(PostgresIo.progressTable(prefix));
    if (shape.keyed(mode)) {
      b.key(shape.key());
    }
    if (!shape.accumulated(mode).isEmpty()) {
      b.accumulate(shape.accumulated(mode).toArray(String[]::new));
    }
    return switch (mode) {
      case UPSERT -> b.upsert();
      case INSERT_UNIQUE -> b.insertUnique();
      case EXACTLY_ONCE -> b.exactlyOnce();
      case TWO_PHASE -> b.twoPhase();
    };
  }
}
