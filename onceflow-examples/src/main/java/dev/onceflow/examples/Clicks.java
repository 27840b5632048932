package dev.onceflow.examples;

import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.log.Log;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A click table keyed by a composite key, (user, click time): the background texts' clickstream, and their
 * "idempotent operations" route to effectively-once.
 *
 * <p>AT_LEAST_ONCE into an upsert sink: a replay after a crash writes some clicks again, but under the same key
 * {@code user|ts}, so the topic read as a table (the last value per key) holds each click once. That is cheaper than
 * exactly-once (no aligned barriers, no transactions, output visible at once) and exact for the table, as long as the
 * key really identifies the click and a replay writes the same value: both hold here because the row is a pure
 * function of the input record. Readers that count the raw records instead of the table would see the duplicates.
 */
public final class Clicks implements OnPostgres {

  /** A click: who, when (epoch ms), on which page. */
  record Click(String user, long ts, String page) implements Serializable {
    static Click parse(byte[] bytes) {
      String[] f = new String(bytes, StandardCharsets.UTF_8).split(",");
      return new Click(f[0], Long.parseLong(f[1]), f[2]);
    }

    String key() {
      return user + "|" + ts;
    }
  }

  @Override
  public Pipeline pipeline(Log log, Path checkpointDir) {
    return clicks(log, checkpointDir)
        .sinkTo(LogSink.upsert(log, outputTopic(),
            (Click c) -> c.key().getBytes(StandardCharsets.UTF_8),
            (Click c) -> (c.user() + " " + c.ts() + " " + c.page()).getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The same table in PostgreSQL: the JDBC upsert sink ({@code INSERT ... ON CONFLICT (user_id, ts) DO UPDATE}), no
   * transactions, every row visible at once; a replay rewrites the same rows.
   */
  @Override
  public Pipeline pipeline(Log log, JdbcConnection db, String table, Path checkpointDir) {
    return clicks(log, checkpointDir)
        .sinkTo(this.<Click>sinkInto(db, table).mapper(c -> new Object[] {c.user(), c.ts(), c.page()}).upsert());
  }

  @Override
  public PostgresTable outputTable() {
    return PostgresTable.of(List.of("user_id text", "ts bigint", "page text"), "user_id", "ts");
  }

  private DataStream<Click> clicks(Log log, Path checkpointDir) {
    return Onceflow.pipeline("clicks")
        .guarantee(Guarantee.AT_LEAST_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(200))
        .checkpointDir(checkpointDir)
        .source(LogSource.of(log, inputTopic(), Click::parse).bounded());
  }

  /** Click i: user {@code u-(i mod 37)} at EPOCH + i*250 ms on page {@code /p(i*31 mod 11)}. */
  @Override
  public List<InputRecord> input(long events) {
    List<InputRecord> out = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      long ts = EPOCH + i * 250;
      out.add(new InputRecord("u-" + (i % 37) + "," + ts + ",/p" + ((i * 31) % 11), ts));
    }
    return out;
  }

  @Override
  public boolean outputIsTable() {
    return true;
  }

  @Override
  public String name() {
    return "clicks";
  }

  @Override
  public String summary() {
    return "a click table keyed by (user, time); AT_LEAST_ONCE into an idempotent upsert sink (effectively-once)";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.AT_LEAST_ONCE;
  }

  @Override
  public String inputTopic() {
    return "clicks";
  }

  @Override
  public String outputTopic() {
    return "click-table";
  }
}
