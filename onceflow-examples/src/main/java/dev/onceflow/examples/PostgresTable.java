package dev.onceflow.examples;

import java.util.ArrayList;
import java.util.List;

/**
 * The output table of an {@link OnPostgres} example, declared once: its columns (name and SQL type, in the row
 * mapper's order, all NOT NULL) and its key (the primary key and the sink's conflict key). The CREATE statement, the
 * column list the runner prints and the sink's columns and key all come from it.
 *
 * @param names the column names, in the mapper's order
 * @param types their SQL types
 * @param key the primary key's columns (a subset of names)
 */
public record PostgresTable(List<String> names, List<String> types, List<String> key) {
  /** Validates and copies. */
  public PostgresTable {
    names = List.copyOf(names);
    types = List.copyOf(types);
    key = List.copyOf(key);
    if (names.size() != types.size() || names.isEmpty()) {
      throw new IllegalArgumentException("a table needs one type per column, got " + names + " and " + types);
    }
    if (key.isEmpty() || !names.containsAll(key)) {
      throw new IllegalArgumentException("the key " + key + " must be columns of " + names);
    }
  }

  /** A table of {@code columns}, each {@code "name type"} (for example {@code "ts bigint"}), keyed by {@code key}. */
  public static PostgresTable of(List<String> columns, String... key) {
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    for (String c : columns) {
      int space = c.indexOf(' ');
      if (space <= 0) {
        throw new IllegalArgumentException("a column is \"name type\", got \"" + c + "\"");
      }
      names.add(c.substring(0, space));
      types.add(c.substring(space + 1).trim());
    }
    return new PostgresTable(names, types, List.of(key));
  }

  /** {@code CREATE TABLE IF NOT EXISTS table (...)}, every column NOT NULL, with the primary key. */
  public String createStatement(String table) {
    StringBuilder b = new StringBuilder("CREATE TABLE IF NOT EXISTS ").append(table).append(" (");
    for (int i = 0; i < names.size(); i++) {
      b.append(names.get(i)).append(' ').append(types.get(i)).append(" NOT NULL, ");
    }
    return b.append("PRIMARY KEY (").append(String.join(", ", key)).append("))").toString();
  }
}
