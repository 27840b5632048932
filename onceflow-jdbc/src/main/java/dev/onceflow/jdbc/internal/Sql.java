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
    return valuesInsert(spec, rows) + conflictClause(spec);
  }

  /** The multi-row INSERT without its ON CONFLICT clause (the optimistic attempt, {@link OptimisticInserts}). */
  static String statementWithoutConflictClause(SinkSpec spec, int rows) {
    return valuesInsert(spec, rows);
  }

  private static String valuesInsert(SinkSpec spec, int rows) {
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
    return b.toString();
  }

  /**
   * The statement writing a whole chunk as one array parameter per column: {@code INSERT INTO t AS t (c1, c2) SELECT
   * u.c1, u.c2 FROM unnest(?::int8[], ?::text[]) AS u(c1, c2) ON CONFLICT ...} — one parse and one bind for the chunk
   * instead of one tuple of parameters per row. {@code elementTypes[i]} is the PostgreSQL element type of column i's
   * array, or null for a column that is NULL in every row of the chunk (it is selected as a bare NULL, which the
   * INSERT coerces to the column's type, so no type has to be guessed).
   *
   * @param withConflictClause false for the optimistic plain INSERT tried first (see {@link OptimisticInserts})
   */
  public static String unnestStatement(SinkSpec spec, String[] elementTypes, boolean withConflictClause) {
    List<String> cols = spec.columns();
    StringBuilder b = new StringBuilder("INSERT INTO ").append(spec.qualifiedTable()).append(" AS t (")
        .append(joinQuoted(cols)).append(") SELECT ");
    StringBuilder arrays = new StringBuilder();
    StringBuilder aliases = new StringBuilder();
    for (int i = 0; i < cols.size(); i++) {
      b.append(i == 0 ? "" : ", ");
      if (elementTypes[i] == null) {
        b.append("NULL");
        continue;
      }
      String alias = "c" + i; // positional aliases: the user's column names need no second quoting scheme
      b.append("u.").append(alias);
      arrays.append(arrays.length() == 0 ? "" : ", ").append("?::").append(elementTypes[i]).append("[]");
      aliases.append(aliases.length() == 0 ? "" : ", ").append(alias);
    }
    b.append(" FROM unnest(").append(arrays).append(") AS u(").append(aliases).append(')');
    if (withConflictClause) {
      b.append(conflictClause(spec));
    }
    return b.toString();
  }

  /** The ON CONFLICT clause of the generated modes ("" for a plain INSERT). */
  static String conflictClause(SinkSpec spec) {
    StringBuilder b = new StringBuilder();
    List<String> cols = spec.columns();
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
