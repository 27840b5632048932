package dev.onceflow.kafka.internal;

import java.lang.reflect.Field;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.utils.ProducerIdAndEpoch;

/**
 * The one place that reaches into kafka-clients' internals. A prepared transaction can only be committed by a
 * producer holding its producer id and epoch; kafka-clients 4.1 offers no public way for a new process to take over
 * an open transaction (KIP-939's prepare/complete API is not released), so, like Flink's {@code
 * FlinkKafkaInternalProducer.resumeTransaction}, we set the {@code TransactionManager}'s state by reflection. The
 * client version is pinned in the parent POM; {@code KafkaInternalsTest} fails when a field used here changes.
 */
public final class ProducerResume {
  static final String TM = "org.apache.kafka.clients.producer.internals.TransactionManager";

  private ProducerResume() {}

  private static Object transactionManager(KafkaProducer<?, ?> producer) throws ReflectiveOperationException {
    Field f = KafkaProducer.class.getDeclaredField("transactionManager");
    f.setAccessible(true);
    Object tm = f.get(producer);
    if (tm == null) {
      throw new IllegalStateException("the producer is not transactional (no transactional.id)");
    }
    return tm;
  }

  private static Field field(String name) throws ReflectiveOperationException {
    Field f = Class.forName(TM).getDeclaredField(name);
    f.setAccessible(true);
    return f;
  }

  /** The producer id and epoch of {@code producer}'s current transaction, and whether it uses protocol v2. */
  public static Object[] idEpochAndVersion(KafkaProducer<?, ?> producer) {
    try {
      Object tm = transactionManager(producer);
      synchronized (tm) {
        ProducerIdAndEpoch pe = (ProducerIdAndEpoch) field("producerIdAndEpoch").get(tm);
        boolean v2 = field("isTransactionV2Enabled").getBoolean(tm);
        return new Object[] {pe.producerId, pe.epoch, v2};
      }
    } catch (ReflectiveOperationException e) {
      throw incompatible(e);
    }
  }

  /**
   * Makes a new, not initialised transactional producer (same transactional id) the owner of the open transaction
   * {@code (producerId, epoch)}, so that {@code commitTransaction()} ends it. No initTransactions: that would abort it.
   */
  public static void resume(KafkaProducer<?, ?> producer, long producerId, short epoch, boolean v2) {
    try {
      Object tm = transactionManager(producer);
      synchronized (tm) {
        field("producerIdAndEpoch").set(tm, new ProducerIdAndEpoch(producerId, epoch));
        field("isTransactionV2Enabled").setBoolean(tm, v2);
        // keep the protocol the transaction was written with: no switch (and epoch bump) while ending it
        field("latestFinalizedFeaturesEpoch").setLong(tm, Long.MAX_VALUE);
        @SuppressWarnings({"unchecked", "rawtypes"})
        Object inTransaction = Enum.valueOf((Class) Class.forName(TM + "$State"), "IN_TRANSACTION");
        field("currentState").set(tm, inTransaction);
        field("transactionStarted").setBoolean(tm, true);
      }
    } catch (ReflectiveOperationException e) {
      throw incompatible(e);
    }
  }

  /** Throws if a field or state this class uses is missing or changed its type. */
  public static void verifyLayout() throws ReflectiveOperationException {
    KafkaProducer.class.getDeclaredField("transactionManager");
    check("producerIdAndEpoch", ProducerIdAndEpoch.class);
    check("isTransactionV2Enabled", boolean.class);
    check("latestFinalizedFeaturesEpoch", long.class);
    check("transactionStarted", boolean.class);
    Class<?> state = Class.forName(TM + "$State");
    check("currentState", state);
    @SuppressWarnings({"unchecked", "rawtypes"})
    Object inTransaction = Enum.valueOf((Class) state, "IN_TRANSACTION");
    if (inTransaction == null) {
      throw new NoSuchFieldException("IN_TRANSACTION");
    }
  }

  private static void check(String name, Class<?> type) throws ReflectiveOperationException {
    Field f = field(name);
    if (f.getType() != type) {
      throw new NoSuchFieldException(TM + "." + name + " is " + f.getType() + ", expected " + type);
    }
  }

  private static IllegalStateException incompatible(Exception e) {
    return new IllegalStateException("this kafka-clients version is not the one onceflow-kafka was built and tested "
        + "with (4.1.1): its TransactionManager changed, so prepared transactions cannot be resumed. Use "
        + "kafka-clients 4.1.1", e);
  }
}
