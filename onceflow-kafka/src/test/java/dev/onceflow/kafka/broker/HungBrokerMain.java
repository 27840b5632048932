package dev.onceflow.kafka.broker;

/** Stands in for a broker that hangs while starting: says one line, then never opens its port nor writes again. */
public final class HungBrokerMain {
  private HungBrokerMain() {}

  /** Blocks on standard input (the parent never writes to it) until the parent kills the process. */
  public static void main(String[] args) throws Exception {
    System.out.println("hung broker: reading " + args[0] + ", never listening");
    System.out.flush();
    System.in.read();
  }
}
