package dev.onceflow.examples;

import dev.onceflow.core.DataStream;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.WatermarkStrategy;
import dev.onceflow.core.connector.Encoder;
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
 * Payment requests with idempotency keys, some sent twice by a client that retried after a timeout (the background
 * texts: "payment systems make charges idempotent, checking if a transaction ID was already processed").
 *
 * <p>Two kinds of duplicate, two mechanisms. The client's retries are in the input: {@code deduplicate} drops a
 * request whose idempotency key was already seen within an hour of event time (the seen keys are checkpointed keyed
 * state). The engine's own replays after a crash are handled by EXACTLY_ONCE: the seen keys and the input position
 * are restored from one checkpoint and the charges are committed in its transaction, so a key is charged once even if
 * the crash came between a request and its retry. Under at-least-once the retry could be charged again.
 */
public final class Payments implements OnPostgres {

  /** A payment request: its idempotency key, the customer and the amount in cents. */
  record Request(String idempotencyKey, String customer, long cents) implements Serializable {
    static Request parse(byte[] bytes) {
      String[] f = new String(bytes, StandardCharsets.UTF_8).split(",");
      return new Request(f[0], f[1], Long.parseLong(f[2]));
    }
  }

  @Override
  public Pipeline pipeline(Log log, Path checkpointDir) {
    return charges(log, checkpointDir)
        .map(r -> "charged " + r.idempotencyKey() + " " + r.customer() + " " + r.cents())
        .sinkTo(LogSink.transactional(log, outputTopic(), Encoder.utf8String()));
  }

  /**
   * The same charges into a PostgreSQL table: the exactly-once JDBC sink applies a checkpoint's rows in one local
   * transaction, fenced by a progress row, once the checkpoint completed.
   */
  @Override
  public Pipeline pipeline(Log log, JdbcConnection db, String table, Path checkpointDir) {
    return charges(log, checkpointDir)
        .sinkTo(this.<Request>sinkInto(db, table)
            .mapper(r -> new Object[] {r.idempotencyKey(), r.customer(), r.cents()}).exactlyOnce());
  }

  @Override
  public PostgresTable outputTable() {
    return PostgresTable.of(List.of("idempotency_key text", "customer text", "cents bigint"), "idempotency_key");
  }

  /** The logic: requests deduplicated by idempotency key (client retries dropped). */
  private DataStream<Request> charges(Log log, Path checkpointDir) {
    return Onceflow.pipeline("payments")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(200))
        .checkpointDir(checkpointDir)
        .source(LogSource.of(log, inputTopic(), Request::parse).bounded(),
            WatermarkStrategy.boundedOutOfOrderness(Duration.ofMinutes(1)))
        .deduplicate(Request::idempotencyKey, Duration.ofHours(1));
  }

  /**
   * Payment k (0 &le; k &lt; events): key {@code pay-k}, customer {@code c-(k mod 50)}, ((k*37) mod 5000) + 100 cents.
   * Every 4th payment (k mod 4 = 3) is sent again two requests later; request j is at EPOCH + j seconds.
   */
  @Override
  public List<InputRecord> input(long events) {
    List<InputRecord> out = new ArrayList<>();
    for (long k = 0; k < events + 2; k++) {
      if (k < events) {
        out.add(request(out.size(), k));
      }
      long r = k - 2;
      if (r >= 0 && r < events && isRetried(r)) {
        out.add(request(out.size(), r));
      }
    }
    return out;
  }

  private static InputRecord request(long position, long k) {
    return new InputRecord("pay-" + k + ",c-" + (k % 50) + "," + cents(k), EPOCH + position * 1000);
  }

  static boolean isRetried(long k) {
    return k % 4 == 3;
  }

  static long cents(long k) {
    return ((k * 37) % 5000) + 100;
  }

  @Override
  public String name() {
    return "payments";
  }

  @Override
  public String summary() {
    return "payment requests with idempotency keys and client retries, each key charged once; EXACTLY_ONCE +"
        + " deduplicate";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public String inputTopic() {
    return "payment-requests";
  }

  @Override
  public String outputTopic() {
    return "charges";
  }
}
