package dev.onceflow.examples;

import dev.onceflow.core.Collector;
import dev.onceflow.core.Guarantee;
import dev.onceflow.core.KeyedProcessFunction;
import dev.onceflow.core.Onceflow;
import dev.onceflow.core.Pipeline;
import dev.onceflow.core.connector.Encoder;
import dev.onceflow.core.connector.log.LogSink;
import dev.onceflow.core.connector.log.LogSource;
import dev.onceflow.core.serialization.Serializers;
import dev.onceflow.core.state.KeyedStateStore;
import dev.onceflow.core.state.ValueState;
import dev.onceflow.log.Log;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Account balances from a stream of deposits and withdrawals (the background texts' "financial transactions,
 * billing systems": where a duplicate or a missing record has a direct business cost).
 *
 * <p>EXACTLY_ONCE: the balance is keyed state and every transfer writes one statement line with the new balance. A
 * transfer applied twice (at-least-once replay) or skipped (at-most-once) puts a wrong balance on every later line of
 * that account. Exactly-once restores the balances and the input position from one checkpoint and commits the lines
 * written since in that checkpoint's transaction, so each transfer moves the balance once and appears once.
 */
public final class Ledger implements Example {
  static final int ACCOUNTS = 20;

  /** A transfer: its id, the account and the signed amount in cents. */
  record Transfer(long id, int account, long cents) implements Serializable {
    static Transfer parse(byte[] bytes) {
      String[] f = new String(bytes, StandardCharsets.UTF_8).split(",");
      return new Transfer(Long.parseLong(f[0]), Integer.parseInt(f[1]), Long.parseLong(f[2]));
    }
  }

  /** One statement line: a transfer and the balance after it. */
  record Statement(int account, long transfer, long cents, long balance) implements Serializable {
    @Override
    public String toString() {
      return "account " + account + " transfer " + transfer + " " + cents + " balance " + balance;
    }
  }

  /** Per account: the running balance; one statement line per transfer. */
  static final class Balances extends KeyedProcessFunction<Integer, Transfer, Statement> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<Long> balance;

    @Override
    public void open(KeyedStateStore state) {
      balance = state.valueState("balance", Serializers.LONG);
    }

    @Override
    public void processElement(Transfer t, Context<Integer> ctx, Collector<Statement> out) {
      long b = (balance.value() == null ? 0 : balance.value()) + t.cents();
      balance.update(b);
      out.collect(new Statement(t.account(), t.id(), t.cents(), b));
    }
  }

  @Override
  public Pipeline pipeline(Log log, Path checkpointDir) {
    return Onceflow.pipeline("ledger")
        .guarantee(Guarantee.EXACTLY_ONCE)
        .parallelism(2)
        .checkpointInterval(Duration.ofMillis(200))
        .checkpointDir(checkpointDir)
        .source(LogSource.of(log, inputTopic(), Transfer::parse).bounded())
        .keyBy(Transfer::account)
        .process(new Balances())
        // keyed by account: one account's statement lands in one output partition, in order
        .sinkTo(LogSink.transactional(log, outputTopic(),
            (Statement s) -> ("account-" + s.account()).getBytes(StandardCharsets.UTF_8), Encoder.utf8String()));
  }

  /** Transfer i: account (i*7) mod 20, amount ((i*37) mod 2001) - 1000 cents. */
  @Override
  public List<InputRecord> input(long events) {
    List<InputRecord> out = new ArrayList<>();
    for (long i = 0; i < events; i++) {
      out.add(new InputRecord(i + "," + account(i) + "," + cents(i), EPOCH + i * 1000));
    }
    return out;
  }

  static int account(long i) {
    return (int) ((i * 7) % ACCOUNTS);
  }

  static long cents(long i) {
    return ((i * 37) % 2001) - 1000;
  }

  @Override
  public String name() {
    return "ledger";
  }

  @Override
  public String summary() {
    return "running account balances, one statement line per transfer; EXACTLY_ONCE (money: no transfer twice or"
        + " never)";
  }

  @Override
  public Guarantee guarantee() {
    return Guarantee.EXACTLY_ONCE;
  }

  @Override
  public String inputTopic() {
    return "transfers";
  }

  @Override
  public String outputTopic() {
    return "statements";
  }
}
