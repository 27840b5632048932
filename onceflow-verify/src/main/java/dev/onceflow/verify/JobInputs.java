package dev.onceflow.verify;

import java.util.ArrayList;
import java.util.List;

/**
 * Generates each job's input deterministically from the number of events. The seed does not change any input (it
 * only drives the crash and fault schedule), so a failing run can be reproduced from (job, events, seed) alone.
 *
 * <ul>
 *   <li>ledger: event i (0 &le; i &lt; N) = {@code {"id":i,"account":(i*7919) mod 1000,"amount":((i*31) mod 200)-100}},
 *       timestamp {@link #EPOCH} + i.
 *   <li>tag-count: event i = {@code {"id":i,"tag":"tag-"+((i*2654435761) mod 2^32 mod 50),"ts":EPOCH+i*10000}},
 *       timestamp = ts: 10 s of event time per event, so 20,000 events span 55 hours of hourly windows, most of
 *       which close (and are written) while the job runs.
 *   <li>payments: N distinct payments k with amount {@code ((k*37) mod 1000)+1}. The input sequence is built by
 *       walking k = 0 .. N+2: append payment k (if k &lt; N), then, if r = k-3 is a payment with r mod 10 = 9, append
 *       a retry of payment r (same id, same amount). So every 10th payment (ids 9, 19, 29, ...) appears twice, its
 *       retry three payments later; input position j has timestamp EPOCH + j*100 ms. The input therefore has N + the
 *       number of ids r &lt; N with r mod 10 = 9 records.
 *   <li>clicks: click i = {@code {"session":"s-"+(i mod 97),"ts":EPOCH+i*10,"page":"/p"+((i*31) mod 13)}}; the
 *       primary key (session, ts) is unique per click; timestamp = ts.
 * </ul>
 */
public final class JobInputs {
  /** 2026-01-01T00:00:00Z, the event-time origin of every job. */
  public static final long EPOCH = 1767225600000L;
  /** The number of distinct click sessions. */
  public static final int CLICK_SESSIONS = 97;

  private JobInputs() {}

  /** The input of {@code job} with {@code events} events (payments: distinct payments), in input order. */
  public static List<InputEvent> generate(Job job, long events) {
    if (events < 0) {
      throw new IllegalArgumentException("events must be >= 0, was " + events);
    }
    List<InputEvent> out = new ArrayList<>((int) Math.min(Integer.MAX_VALUE - 8, events + events / 10 + 4));
    switch (job) {
      case LEDGER -> {
        for (long i = 0; i < events; i++) {
          out.add(new InputEvent(i, EPOCH + i, "{\"id\":" + i + ",\"account\":" + ledgerAccount(i)
              + ",\"amount\":" + ledgerAmount(i) + "}"));
        }
      }
      case TAG_COUNT -> {
        for (long i = 0; i < events; i++) {
          long ts = tagTimestamp(i);
          out.add(new InputEvent(i, ts, "{\"id\":" + i + ",\"tag\":\"" + tag(i) + "\",\"ts\":" + ts + "}"));
        }
      }
      case PAYMENTS -> {
        long j = 0;
        for (long k = 0; k < events + 3; k++) {
          if (k < events) {
            out.add(payment(j++, k));
          }
          long r = k - 3;
          if (r >= 0 && r < events && isRetried(r)) {
            out.add(payment(j++, r));
          }
        }
      }
      case CLICKS -> {
        for (long i = 0; i < events; i++) {
          long ts = clickTimestamp(i);
          out.add(new InputEvent(i, ts, "{\"session\":\"" + clickSession(i) + "\",\"ts\":" + ts
              + ",\"page\":\"" + clickPage(i) + "\"}"));
        }
      }
      default -> throw new AssertionError(job);
    }
    return out;
  }

  private static InputEvent payment(long position, long id) {
    return new InputEvent(position, EPOCH + position * 100,
        "{\"payment_id\":" + id + ",\"amount\":" + paymentAmount(id) + "}");
  }

  /** Ledger: the account of transfer i. */
  public static int ledgerAccount(long i) {
    return (int) ((i * 7919) % 1000);
  }

  /** Ledger: the amount of transfer i, in [-100, 99]. */
  public static int ledgerAmount(long i) {
    return (int) ((i * 31) % 200) - 100;
  }

  /** Tag-count: the tag of event i. */
  public static String tag(long i) {
    return "tag-" + (((i * 2654435761L) & 0xFFFF_FFFFL) % 50);
  }

  /** Tag-count: event time between two consecutive events. */
  public static final long TAG_EVENT_SPACING_MS = 10_000;

  /** Tag-count: the event time of event i. */
  public static long tagTimestamp(long i) {
    return EPOCH + i * TAG_EVENT_SPACING_MS;
  }

  /** Payments: the amount of payment k. */
  public static long paymentAmount(long k) {
    return ((k * 37) % 1000) + 1;
  }

  /** Payments: whether payment k is sent twice. */
  public static boolean isRetried(long k) {
    return k % 10 == 9;
  }

  /** Clicks: the session of click i. */
  public static String clickSession(long i) {
    return "s-" + (i % CLICK_SESSIONS);
  }

  /** Clicks: the event time of click i. */
  public static long clickTimestamp(long i) {
    return EPOCH + i * 10;
  }

  /** Clicks: the page of click i. */
  public static String clickPage(long i) {
    return "/p" + ((i * 31) % 13);
  }

  /** Clicks: the table key of a click, {@code session|ts}. */
  public static String clickKey(String session, long ts) {
    return session + "|" + ts;
  }
}
