package dev.onceflow.verify.postgres;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onceflow.jdbc.RowMapper;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.JobInputs;
import dev.onceflow.verify.OutputRecord;
import dev.onceflow.verify.OutputRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;

/**
 * The table shape of one job's output: its columns (in the order of the pipeline's JSON fields), their SQL types,
 * the key, the row mapper the child's sink uses and the reader that turns committed rows back into the checker's
 * {@link OutputRecord}s. The idempotent modes need the key as a unique constraint; the transactional modes get a
 * table without one (except clicks, whose output is a table by definition), so a duplicate is a second row the
 * checker counts.
 */
final class JobTable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** A column; {@code delta} is the JSON field of the change a transactional sink adds to it (orders), else null. */
  private record Column(String name, String field, String sqlType, boolean text, String delta) {
    Column(String name, String field, String sqlType, boolean text) {
      this(name, field, sqlType, text, null);
    }
  }

  private final Job job;
  private final List<Column> columns;
  private final List<String> key;

  private JobTable(Job job, List<Column> columns, List<String> key) {
    this.job = job;
    this.columns = columns;
    this.key = key;
  }

  static JobTable of(Job job) {
    return switch (job) {
      case LEDGER -> new JobTable(job, List.of(new Column("id", "id", "bigint", false),
          new Column("account", "account", "bigint", false), new Column("seq", "seq", "bigint", false),
          new Column("balance", "balance", "bigint", false)), List.of("id"));
      case PAYMENTS -> new JobTable(job, List.of(new Column("payment_id", "payment_id", "bigint", false),
          new Column("amount", "amount", "bigint", false)), List.of("payment_id"));
      case TAG_COUNT -> new JobTable(job, List.of(new Column("tag", "tag", "text", true),
          new Column("window_start", "window_start", "bigint", false),
          new Column("count", "count", "bigint", false)), List.of("tag", "window_start"));
      case CLICKS -> new JobTable(job, List.of(new Column("session_id", "session", "text", true),
          new Column("event_timestamp_ms", "ts", "bigint", false), new Column("page", "page", "text", true)),
          List.of("session_id", "event_timestamp_ms"));
      // the inventory: one row per item, seeded with the initial stock; a transactional sink adds each change
      case ORDERS -> new JobTable(job, List.of(new Column("item", "item", "text", true),
          new Column("stock", "stock", "bigint", false, "stock_delta"),
          new Column("accepted", "accepted", "bigint", false, "accepted_delta")), List.of("item"));
      case PAYMENTS_LIMITS -> new JobTable(job, List.of(new Column("payment_id", "payment_id", "bigint", false),
          new Column("account", "account", "bigint", false), new Column("amount", "amount", "bigint", false),
          new Column("limit", "limit", "bigint", false), new Column("approved", "approved", "boolean", false)),
          List.of("payment_id"));
    };
  }

  /**
   * The columns a sink of {@code mode} adds to ({@code JdbcSinkBuilder.accumulate}): the orders inventory's stock and
   * count under the transactional modes (a real inventory update, {@code stock = stock + delta}, which a replay would
   * apply twice); none otherwise (replacement or insert).
   */
  List<String> accumulated(PostgresSinkMode mode) {
    return mode.transactional() ? columns.stream().filter(c -> c.delta() != null).map(Column::name).toList()
        : List.of();
  }

  /** The rows the table starts with (the orders inventory: every item at its initial stock), as INSERT statements. */
  List<String> seedSql(String table) {
    if (job != Job.ORDERS) {
      return List.of();
    }
    StringBuilder b = new StringBuilder("INSERT INTO ").append(quote(table)).append(" VALUES ");
    for (int k = 0; k < JobInputs.ITEMS; k++) {
      b.append(k == 0 ? "" : ", ").append("('").append(JobInputs.itemName(k)).append("', ")
          .append(JobInputs.initialStock(k)).append(", 0)");
    }
    return List.of(b.toString());
  }

  /** Whether the table of {@code mode} has the key as its primary key. */
  boolean keyed(PostgresSinkMode mode) {
    return !mode.transactional() || job == Job.CLICKS || job == Job.ORDERS;
  }

  List<String> columnNames() {
    return columns.stream().map(Column::name).toList();
  }

  List<String> key() {
    return key;
  }

  String createSql(String table, PostgresSinkMode mode) {
    StringBuilder b = new StringBuilder("CREATE TABLE ").append(quote(table)).append(" (");
    for (Column c : columns) {
      b.append(quote(c.name())).append(' ').append(c.sqlType()).append(" NOT NULL, ");
    }
    if (keyed(mode)) {
      b.append("PRIMARY KEY (").append(String.join(", ", key.stream().map(JobTable::quote).toList())).append(")");
    } else {
      b.setLength(b.length() - 2);
    }
    return b.append(')').toString();
  }

  String selectSql(String table) {
    List<String> cols = columns.stream().map(c -> quote(c.name())).toList();
    return "SELECT " + String.join(", ", cols) + " FROM " + quote(table) + " ORDER BY "
        + String.join(", ", key.stream().map(JobTable::quote).toList());
  }

  /**
   * The child's mapper: the pipeline's JSON row to column values (texts as String, numbers as Long, booleans as
   * Boolean); the columns a sink of {@code mode} adds to ({@link #accumulated}) take their change.
   */
  RowMapper<OutputRow> mapper(PostgresSinkMode mode) {
    boolean deltas = !accumulated(mode).isEmpty();
    List<Column> cols = columns.stream()
        .map(c -> deltas && c.delta() != null ? new Column(c.name(), c.delta(), c.sqlType(), c.text()) : c).toList();
    Job j = job;
    return row -> {
      JsonNode n;
      try {
        n = JSON.readTree(row.json());
      } catch (IOException e) {
        throw new UncheckedIOException("verifier " + j.cliName() + " row is not JSON: " + row.json(), e);
      }
      Object[] values = new Object[cols.size()];
      for (int i = 0; i < values.length; i++) {
        JsonNode v = n.get(cols.get(i).field());
        if (v == null) {
          throw new IllegalArgumentException("verifier " + j.cliName() + " row has no field '"
              + cols.get(i).field() + "': " + row.json());
        }
        values[i] = cols.get(i).text() ? v.asText() : v.isBoolean() ? (Object) v.asBoolean() : (Object) v.asLong();
      }
      return values;
    };
  }

  /** The committed rows of {@code rs} ({@link #selectSql}) as the checker's records. */
  List<OutputRecord> read(ResultSet rs) throws SQLException {
    List<OutputRecord> out = new ArrayList<>();
    while (rs.next()) {
      ObjectNode o = JSON.createObjectNode();
      for (int i = 0; i < columns.size(); i++) {
        Column c = columns.get(i);
        if (c.text()) {
          o.put(c.field(), rs.getString(i + 1));
        } else if (c.sqlType().equals("boolean")) {
          o.put(c.field(), rs.getBoolean(i + 1));
        } else {
          o.put(c.field(), rs.getLong(i + 1));
        }
      }
      String key = job == Job.CLICKS ? JobInputs.clickKey(o.get("session").asText(), o.get("ts").asLong())
          : job == Job.ORDERS ? o.get("item").asText() : null;
      out.add(new OutputRecord(key, o.toString()));
    }
    return out;
  }

  static String quote(String identifier) {
    return "\"" + identifier.replace("\"", "\"\"") + "\"";
  }
}
