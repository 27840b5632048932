package dev.onceflow.jdbc.internal;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One chunk of rows turned into one PostgreSQL array per column, for {@link Sql#unnestStatement}. A column's element
 * type comes from the Java type of its values — the same types {@link RowCodec} keeps in checkpoints — and is the
 * type the single-row path would have bound each value as, so the INSERT's assignment coercion (and its errors: a
 * String for an integer column is still refused with 42804) stays what it was. NULLs are array elements; a column
 * that is NULL in every row has no element type (selected as a bare NULL). A chunk with a value of another Java type,
 * or with two Java types in one column, is not representable: {@link #of} answers null and the caller writes it
 * with the multi-row VALUES statements.
 */
final class ColumnArrays {
  /** Java value type to PostgreSQL element type; the types not listed here are sent as their text (see below). */
  private static final Map<Class<?>, String> ELEMENT_TYPE = Map.ofEntries(
      Map.entry(Long.class, "int8"),
      Map.entry(Integer.class, "int4"),
      Map.entry(Short.class, "int2"),
      Map.entry(Double.class, "float8"),
      Map.entry(Float.class, "float4"),
      Map.entry(Boolean.class, "bool"),
      Map.entry(String.class, "text"),
      Map.entry(byte[].class, "bytea"),
      Map.entry(BigDecimal.class, "numeric"),
      Map.entry(UUID.class, "uuid"),
      // as the single-row path binds them: an Instant as an OffsetDateTime in UTC, both as timestamptz
      Map.entry(Instant.class, "timestamptz"),
      Map.entry(OffsetDateTime.class, "timestamptz"),
      Map.entry(LocalDateTime.class, "timestamp"),
      Map.entry(LocalDate.class, "date"));

  final String[] elementTypes;
  private final Object[][] columns;

  private ColumnArrays(String[] elementTypes, Object[][] columns) {
    this.elementTypes = elementTypes;
    this.columns = columns;
  }

  /** The arrays of {@code rows[from, to)}, or null if a value's type does not allow them (see the class). */
  static ColumnArrays of(List<Object[]> rows, int from, int to, int width) {
    String[] types = new String[width];
    Class<?>[] classes = new Class<?>[width];
    boolean anyTyped = false;
    for (int col = 0; col < width; col++) {
      for (int r = from; r < to; r++) {
        Object v = rows.get(r)[col];
        if (v == null) {
          continue;
        }
        Class<?> k = v.getClass();
        if (classes[col] == null) {
          String t = ELEMENT_TYPE.get(k);
          if (t == null) {
            return null; // e.g. a BigDecimal subclass, a driver-specific object: the single-row path knows it
          }
          classes[col] = k;
          types[col] = t;
          anyTyped = true;
        } else if (classes[col] != k) {
          return null; // Integer and Long in one column: each would have been bound as itself
        }
      }
    }
    if (!anyTyped) {
      return null; // every value NULL: unnest() needs at least one array
    }
    Object[][] columns = new Object[width][];
    for (int col = 0; col < width; col++) {
      if (classes[col] != null) {
        columns[col] = column(rows, from, to, col, classes[col]);
      }
    }
    return new ColumnArrays(types, columns);
  }

  private static Object[] column(List<Object[]> rows, int from, int to, int col, Class<?> k) {
    int n = to - from;
    Object[] out;
    if (k == Long.class) {
      out = new Long[n];
    } else if (k == Integer.class) {
      out = new Integer[n];
    } else if (k == Short.class) {
      out = new Short[n];
    } else if (k == Double.class) {
      out = new Double[n];
    } else if (k == Float.class) {
      out = new Float[n];
    } else if (k == Boolean.class) {
      out = new Boolean[n];
    } else if (k == byte[].class) {
      out = new byte[n][];
    } else {
      // String, and the types whose PostgreSQL input form is their ISO / canonical text (the driver escapes it)
      String[] s = new String[n];
      for (int r = 0; r < n; r++) {
        Object v = rows.get(from + r)[col];
        s[r] = v == null ? null : text(v);
      }
      return s;
    }
    for (int r = 0; r < n; r++) {
      out[r] = rows.get(from + r)[col];
    }
    return out;
  }

  private static String text(Object v) {
    if (v instanceof Instant in) {
      return OffsetDateTime.ofInstant(in, ZoneOffset.UTC).toString();
    }
    if (v instanceof BigDecimal d) {
      return d.toPlainString(); // toString may use an exponent; the plain form is what numeric prints back
    }
    return v.toString();
  }

  /** Binds the arrays (the non-NULL columns, in order) from parameter 1 on. */
  void bind(Connection c, java.sql.PreparedStatement ps) throws SQLException {
    int p = 1;
    for (int col = 0; col < columns.length; col++) {
      if (columns[col] != null) {
        Array a = c.createArrayOf(elementTypes[col], columns[col]);
        ps.setArray(p++, a);
      }
    }
  }
}
