package dev.onceflow.jdbc.crash;

import java.util.Map;
import java.util.TreeMap;

/** The kill tests' jobs: deterministic events by index, and their expected tables computed independently. */
final class CrashJobs {
  private CrashJobs() {}

  static final int ACCOUNTS = 40;
  static final long CLICK_BASE_MS = 1_700_000_000_000L;

  record Transfer(String account, long delta) {}

  record Payment(String idempotencyKey, String account, long amountCents) {}

  record Click(String sessionId, long eventTimestampMs, String url) {}

  static Transfer transfer(long i) {
    return new Transfer("acct-" + (i % ACCOUNTS), (i % 7) + 1);
  }

  static Payment payment(long i) {
    return new Payment("pay-" + i, "acct-" + (i % 13), i % 1000);
  }

  static Click click(long i) {
    return new Click("s" + (i % 97), CLICK_BASE_MS + i / 97, "/p/" + (i % 11));
  }

  static Map<String, Long> expectedBalances(long events) {
    Map<String, Long> m = new TreeMap<>();
    for (long i = 0; i < events; i++) {
      Transfer t = transfer(i);
      m.merge(t.account(), t.delta(), Long::sum);
    }
    return m;
  }

  static long expectedPaymentSum(long events) {
    long s = 0;
    for (long i = 0; i < events; i++) {
      s += payment(i).amountCents();
    }
    return s;
  }

  static String ddl(String job) {
    return switch (job) {
      case "ledger" -> "CREATE TABLE IF NOT EXISTS ledger (account text PRIMARY KEY, balance bigint NOT NULL)";
      case "payments" -> "CREATE TABLE IF NOT EXISTS payments (idempotency_key text PRIMARY KEY, "
          + "account text NOT NULL, amount_cents bigint NOT NULL)";
      case "clicks" -> "CREATE TABLE IF NOT EXISTS clicks (session_id text, event_timestamp_ms bigint, "
          + "url text NOT NULL, PRIMARY KEY (session_id, event_timestamp_ms))";
      default -> throw new IllegalArgumentException(job);
    };
  }
}
