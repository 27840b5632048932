package dev.onceflow.examples;

import dev.onceflow.jdbc.JdbcConnection;
import dev.onceflow.log.Log;
import dev.onceflow.log.TopicPartition;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.ListOffsetsOptions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Runs an example on a real system: {@link OnKafka} Kafka topic to Kafka topic, {@link OnPostgres} from the log into
 * a PostgreSQL table. As {@link ExampleRunner}: the input is written once (a second run on the same directory
 * resumes, or finds the job finished), the pipeline runs to the end of its bounded input, and the committed output is
 * read back as any reader sees it (Kafka: read_committed; PostgreSQL: a SELECT). Names on the shared system carry a
 * prefix made from the example directory ({@code ex<8 hex>}), so runs in other directories never meet.
 */
public final class ConnectorRunner {
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  private ConnectorRunner() {}

  /** The prefix of the names an example run in {@code dir} uses on a shared system. */
  static String prefix(Path dir) {
    try {
      byte[] h = MessageDigest.getInstance("SHA-256")
          .digest(dir.toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
      return "ex" + HexFormat.of().formatHex(h, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /**
   * Runs {@code example} Kafka topic to Kafka topic on {@code bootstrapServers}, checkpoints in {@code dir}.
   *
   * @throws IllegalStateException if the cluster cannot be reached or a topic not created (the message names it)
   */
  public static ExampleRunner.Run runOnKafka(OnKafka example, Path dir, long events, String bootstrapServers)
      throws InterruptedException {
    OnKafka.KafkaTopics kafka = new OnKafka.KafkaTopics(bootstrapServers, prefix(dir) + ".");
    String in = kafka.topic(example.inputTopic());
    String out = kafka.topic(example.outputTopic());
    boolean written;
    try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
      createTopic(admin, out);
      written = createTopic(admin, in);
      if (written) {
        writeInput(bootstrapServers, in, example.input(events));
      }
      long start = System.nanoTime();
      example.pipeline(kafka, dir.resolve("checkpoints")).execute();
      double seconds = (System.nanoTime() - start) / 1e9;
      long inputRecords = endOffsets(admin, in, IsolationLevel.READ_UNCOMMITTED).values().stream()
          .mapToLong(Long::longValue).sum();
      List<String> values = readCommitted(admin, bootstrapServers, out);
      return new ExampleRunner.Run(example, dir, inputRecords, written, values, Map.of(), seconds, Map.of(),
          "Kafka topic '" + out + "' at " + bootstrapServers + " (read_committed)");
    }
  }

  /** Creates a topic of {@link ExampleRunner#PARTITIONS} partitions kept forever; false if it existed. */
  private static boolean createTopic(Admin admin, String topic) throws InterruptedException {
    // the inputs carry event times of January 2026: the default 7-day retention would delete them at once
    NewTopic t = new NewTopic(topic, ExampleRunner.PARTITIONS, (short) 1).configs(Map.of("retention.ms", "-1"));
    try {
      admin.createTopics(List.of(t)).all().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      return true;
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TopicExistsException) {
        return false;
      }
      throw new IllegalStateException("cannot create Kafka topic " + topic + ": " + e.getCause(), e);
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("Kafka did not create topic " + topic + " within " + DEADLINE
          + " (is the cluster at " + admin + " reachable?)", e);
    }
  }

  /** Writes the input like {@link ExampleRunner}: keyed records by key, the others round-robin; acks=all. */
  private static void writeInput(String servers, String topic, List<InputRecord> input) throws InterruptedException {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    p.put(ProducerConfig.ACKS_CONFIG, "all");
    // one request in flight, no idempotence: a fresh topic's leader moves can otherwise stall the idempotent producer
    p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false");
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "1");
    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
        new ByteArraySerializer())) {
      List<java.util.concurrent.Future<?>> acks = new ArrayList<>();
      for (int i = 0; i < input.size(); i++) {
        InputRecord r = input.get(i);
        int partition = r.key() == null ? i % ExampleRunner.PARTITIONS
            : Math.floorMod(r.key().hashCode(), ExampleRunner.PARTITIONS);
        acks.add(producer.send(new ProducerRecord<>(topic, partition, r.timestamp(),
            r.key() == null ? null : r.key().getBytes(StandardCharsets.UTF_8),
            r.value().getBytes(StandardCharsets.UTF_8))));
      }
      for (var a : acks) {
        a.get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
      }
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot write the input to Kafka topic " + topic + ": " + e, e);
    }
  }

  private static Map<org.apache.kafka.common.TopicPartition, Long> endOffsets(Admin admin, String topic,
      IsolationLevel isolation) throws InterruptedException {
    Map<org.apache.kafka.common.TopicPartition, OffsetSpec> ask = new LinkedHashMap<>();
    for (int p = 0; p < ExampleRunner.PARTITIONS; p++) {
      ask.put(new org.apache.kafka.common.TopicPartition(topic, p), OffsetSpec.latest());
    }
    try {
      Map<org.apache.kafka.common.TopicPartition, Long> out = new LinkedHashMap<>();
      for (var e : admin.listOffsets(ask, new ListOffsetsOptions(isolation)).all()
          .get(DEADLINE.toSeconds(), TimeUnit.SECONDS).entrySet()) {
        out.put(e.getKey(), ((ListOffsetsResult.ListOffsetsResultInfo) e.getValue()).offset());
      }
      return out;
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      throw new IllegalStateException("cannot read the end offsets of Kafka topic " + topic + ": " + e, e);
    }
  }

  /**
   * The committed values of {@code topic}, per partition in offset order. A commit returns before the broker wrote its
   * markers, so first waits (bounded) until the last stable offsets reach the log ends: no transaction still ending.
   */
  private static List<String> readCommitted(Admin admin, String servers, String topic) throws InterruptedException {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    Map<org.apache.kafka.common.TopicPartition, Long> stable = endOffsets(admin, topic, IsolationLevel.READ_COMMITTED);
    while (!stable.equals(endOffsets(admin, topic, IsolationLevel.READ_UNCOMMITTED))) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("transactions on Kafka topic " + topic + " still open after " + DEADLINE);
      }
      Thread.sleep(50); // the broker's markers: nothing to wait on but a new listing
      stable = endOffsets(admin, topic, IsolationLevel.READ_COMMITTED);
    }
    Properties c = new Properties();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, servers);
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c, new StringDeserializer(),
        new StringDeserializer())) {
      for (var e : stable.entrySet()) {
        consumer.assign(List.of(e.getKey()));
        consumer.seekToBeginning(List.of(e.getKey()));
        while (consumer.position(e.getKey()) < e.getValue()) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException("reading " + e.getKey() + " took over " + DEADLINE);
          }
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(200))) {
            if (r.offset() < e.getValue()) {
              out.add(r.value());
            }
          }
        }
      }
    }
    return out;
  }

  /**
   * Runs {@code example} from the embedded log in {@code dir} into a table of the PostgreSQL database at
   * {@code jdbcUrl} (credentials in the URL or from the environment's PGUSER / PGPASSWORD, as the driver reads them).
   *
   * @throws IllegalStateException if the database cannot be reached or the table not created (SQLSTATE named)
   */
  public static ExampleRunner.Run runOnPostgres(OnPostgres example, Path dir, long events, String jdbcUrl)
      throws InterruptedException {
    JdbcConnection db = JdbcConnection.url(jdbcUrl);
    String table = prefix(dir) + "_" + example.outputTopic().replace('-', '_');
    try (Connection c = db.open(); Statement s = c.createStatement()) {
      c.setAutoCommit(true);
      s.execute(example.createTable(table));
    } catch (SQLException e) {
      throw new IllegalStateException("cannot create table " + table + " (SQLSTATE " + e.getSQLState() + "): "
          + e.getMessage(), e);
    }
    Path logDir = dir.resolve("log");
    boolean written;
    long start;
    double seconds;
    long inputRecords = 0;
    try (Log log = Log.open(logDir)) {
      written = ExampleRunner.writeInputOnce(log, example, events);
      start = System.nanoTime();
      example.pipeline(log, db, table, dir.resolve("checkpoints")).execute();
      seconds = (System.nanoTime() - start) / 1e9;
      for (int p = 0; p < log.partitions(example.inputTopic()); p++) {
        inputRecords += log.endOffset(new TopicPartition(example.inputTopic(), p));
      }
    }
    List<String> rows = new ArrayList<>();
    try (Connection c = db.open(); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT " + example.columns() + " FROM " + table + " ORDER BY 1, 2")) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(i == 1 ? "" : " ").append(rs.getString(i));
        }
        rows.add(b.toString());
      }
    } catch (SQLException e) {
      throw new IllegalStateException("cannot read table " + table + " (SQLSTATE " + e.getSQLState() + "): "
          + e.getMessage(), e);
    }
    return new ExampleRunner.Run(example, logDir, inputRecords, written, rows, Map.of(), seconds, Map.of(),
        "table " + table + " (" + example.columns() + ") at " + redact(jdbcUrl));
  }

  private static String redact(String url) {
    int q = url.indexOf('?');
    return q < 0 ? url : url.substring(0, q);
  }
}
