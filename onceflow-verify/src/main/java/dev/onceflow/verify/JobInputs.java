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
 *   <li>orders: order i = {@code {"id":i,"item":"item-"+k,"quantity":q,"ts":EPOCH+i*1000}} with item k = (i*11) mod
 *       37 and q = 1 + (i*13) mod 9, except every sixth record (i mod 6 = 5), a return of 10 + (i mod 20) units
 *       (q negative, always accepted). Item k starts with {@link #initialStock} 10 + (k*7) mod 20 units, so stock
 *       hovers near zero and accepts and rejects interleave all along the input: the order of effects matters. The
 *       records of one item all lie in one partition (placed by the item, not the position), so every item's orders
 *       are processed in input order and the decisions are a function of the input alone.
 *   <li>payments-limits: record i at {@code EPOCH + i*1000} for account a = (i*31) mod 50; if i mod 4 = 0 a limit
 *       update {@code {"kind":"limit","account":a,"limit":100+((i*17) mod 9)*100,"ts":..}}, else a payment
 *       {@code {"kind":"payment","id":i,"account":a,"amount":1+((i*37) mod 1000),"ts":..}}; placed by position.
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
      case ORDERS -> {
        for (long i = 0; i < events; i++) {
          int k = orderItem(i);
          out.add(new InputEvent(i, orderTimestamp(i), "{\"id\":" + i + ",\"item\":\"" + itemName(k)
              + "\",\"quantity\":" + orderQuantity(i) + ",\"ts\":" + orderTimestamp(i) + "}", k));
        }
      }
      case PAYMENTS_LIMITS -> {
        for (long i = 0; i < events; i++) {
          long ts = limitsTimestamp(i);
          int a = limitsAccount(i);
          out.add(new InputEvent(i, ts, isLimitUpdate(i)
              ? "{\"kind\":\"limit\",\"account\":" + a + ",\"limit\":" + limitValue(i) + ",\"ts\":" + ts + "}"
              : "{\"kind\":\"payment\",\"id\":" + i + ",\"account\":" + a + ",\"amount\":"
                  + limitsPaymentAmount(i) + ",\"ts\":" + ts + "}"));
        }
      }
      default -> throw new AssertionError(job);
    }
    return out;
  }

  /** Orders: the number of items. */
  public static final int ITEMS = 37;

  /** Orders: the item index of order i, in [0, {@link #ITEMS}). */
  public static int orderItem(long i) {
    return (int) ((i * 11) % ITEMS);
  }

  /** Orders: the item name of item index k. */
  public static String itemName(int k) {
    return "item-" + k;
  }

  /** Orders: the quantity of order i: 1..9, or a return (negative: -10..-29) when i mod 6 = 5. */
  public static long orderQuantity(long i) {
    return i % 6 == 5 ? -(10 + (i % 20)) : 1 + (i * 13) % 9;
  }

  /** Orders: the event time of order i. */
  public static long orderTimestamp(long i) {
    return EPOCH + i * 1000;
  }

  /** Orders: the stock of item k before the first order. */
  public static long initialStock(int k) {
    return 10 + (k * 7L) % 20;
  }

  /** Payments-limits: the event time of record i. */
  public static long limitsTimestamp(long i) {
    return EPOCH + i * 1000;
  }

  /** Payments-limits: the account of record i. */
  public static int limitsAccount(long i) {
    return (int) ((i * 31) % LIMIT_ACCOUNTS);
  }

  /** Payments-limits: the number of accounts. */
  public static final int LIMIT_ACCOUNTS = 50;

  /** Payments-limits: the limit of an account before its first limit update. */
  public static final long DEFAULT_LIMIT = 300;

  /** Payments-limits: whether record i is a limit update (else a payment with id i). */
  public static boolean isLimitUpdate(long i) {
    return i % 4 == 0;
  }

  /** Payments-limits: the new limit of limit update i. */
  public static long limitValue(long i) {
    return 100 + ((i * 17) % 9) * 100;
  }

  /** Payments-limits: the amount of payment i. */
  public static long limitsPaymentAmount(long i) {
    return 1 + (i * 37) % 1000;
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
