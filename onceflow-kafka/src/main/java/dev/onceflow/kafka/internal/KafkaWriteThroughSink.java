package dev.onceflow.kafka.internal;

import dev.onceflow.core.Guarantee;
import dev.onceflow.core.sink.SinkContext;
import dev.onceflow.core.sink.SinkWriter;
import dev.onceflow.core.sink.WriteThroughSink;
import java.time.Duration;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * AT_LEAST_ONCE and AT_MOST_ONCE: an idempotent producer (a retried batch is not appended twice). AT_LEAST_ONCE
 * waits for every acknowledgement before a checkpoint barrier is acknowledged (and when the input is idle and at its
 * end); AT_MOST_ONCE sends without waiting (acks as configured). Between barriers nothing waits: a sent record becomes
 * visible on its own once the broker has it, so waiting at every input batch (the core's default {@code endOfBatch})
 * would only stop the task for a produce round trip per batch. A failed send fails the job with its reason, at the
 * next write, batch end or flush.
 */
public final class KafkaWriteThroughSink<T> implements WriteThroughSink<T> {
  private final SinkSettings<T> s;
  private final String name;

  /** The sink for {@code settings}, named {@code name}. */
  public KafkaWriteThroughSink(SinkSettings<T> settings, String name) {
    this.s = settings;
    this.name = name;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public SinkWriter<T> createWriter(SinkContext ctx) {
    Properties p = s.baseProducer("onceflow-" + ctx.jobName() + "-" + name + "-" + ctx.subtask());
    p.putIfAbsent("enable.idempotence", "true");
    if (s.guarantee() == Guarantee.AT_LEAST_ONCE) {
      p.put("acks", "all");
    }
    KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer());
    SendErrors errors = new SendErrors("Kafka sink " + ctx.subtaskId());
    boolean waitForAcks = s.guarantee() != Guarantee.AT_MOST_ONCE;
    return new SinkWriter<>() {
      @Override
      public void write(T record) {
        errors.check();
        byte[] key = s.keyEncoder() == null ? null : s.keyEncoder().encode(record);
        producer.send(new ProducerRecord<>(s.topicOf().apply(record), key, s.valueEncoder().encode(record)), errors);
      }

      @Override
      public void flush() {
        if (waitForAcks) {
          producer.flush();
        }
        errors.check();
      }

      /** No flush: see the class comment. A send that failed meanwhile still fails the job here. */
      @Override
      public void endOfBatch() {
        errors.check();
      }

      @Override
      public void close() {
        producer.close(Duration.ofSeconds(30));
      }
    };
  }
}
