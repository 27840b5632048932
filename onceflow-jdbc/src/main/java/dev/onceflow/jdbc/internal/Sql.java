package dev.onceflow.jdbc.internal;

import java.util.List;

/** Builds the sinks' SQL: identifiers always quoted, values always parameters. */
public final class Sql {
  private Sql() {}

  /** A quoted identifier: used exactly as given (case-sensitive), a {@code "} inside doubled. */
  public static String quote(String identifier) {
    if (identifier == null || identifier.isEmpty()) {
      throw new IllegalArgumentException("an SQL identifier must not be empty");
    }
    if (identifier.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("an SQL identifier must not contain NUL: " + identifier);
    }
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  /** The statement for {@code rows} rows (rows &gt; 1 only for the multi-row modes). */
  public static String statement(SinkSpec spec, int rows) {
    if (spec.mode() == WriteMode.CUSTOM) {
      return spec.customSql();
    }
    StringBuilder b = new StringBuilder("INSERT INTO ").append(spec.qualifiedTable()).append(" AS t (");
    List<String> cols = spec.columns();
    for (int i = 0; i < cols.size(); i++) {
      b.append(i == 0 ? "" : ", ").append(quote(cols.get(i)));
    }
    b.append(") VALUES ");
    for (int r = 0; r < rows; r++) {
      b.append(r == 0 ? "(" : ", (");
      for (int i = 0; i < cols.size(); i++) {
        b.append(i == 0 ? "?" : ", ?");
      }
      b.append(')');
    }
    switch (spec.mode()) {
      case INSERT -> {}
      case INSERT_UNIQUE -> b.append(" ON CONFLICT (").append(joinQuoted(spec.key())).append(") DO NOTHING");
      case UPSERT, ACCUMULATE -> {
        StringBuilder set = new StringBuilder();
        for (String c : cols) {
          if (spec.key().contains(c)) {
            continue;
          }
          set.append(set.length() == 0 ? "" : ", ").append(quote(c)).append(" = ");
          if (spec.accumulate().contains(c)) {
            set.append("t.").append(quote(c)).append(" + EXCLUDED.").append(quote(c));
          } else {
            set.append("EXCLUDED.").append(quote(c));
          }
        }
        b.append(" ON CONFLICT (").append(joinQuoted(spec.key())).append(')');
        // every column in the key: nothing to update (DO UPDATE SET with an empty list is invalid SQL)
        b.append(set.length() == 0 ? " DO NOTHING" : " DO UPDATE SET " + set);
      }
      default -> throw new IllegalStateException("unexpected mode " + spec.mode());
    }
    return b.toString();
  }

  static String joinQuoted(List<String> names) {
    StringBuilder b = new StringBuilder();
    for (String n : names) {
      b.append(b.length() == 0 ? "" : ", ").append(quote(n));
    }
    return b.toString();
  }
}
