package dev.onceflow.jdbc.internal;

/** The statement a sink runs per row. */
public enum WriteMode {
  /** INSERT ... VALUES; not idempotent. */
  INSERT,
  /** INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c (DO NOTHING when every column is in the key). */
  UPSERT,
  /** INSERT ... ON CONFLICT (key) DO NOTHING; duplicates absorbed and counted. */
  INSERT_UNIQUE,
  /** INSERT ... ON CONFLICT (key) DO UPDATE SET a = t.a + EXCLUDED.a: accumulating, not idempotent. */
  ACCUMULATE,
  /** The user's own SQL with one {@code ?} per column, run as a JDBC batch; not idempotent as far as we know. */
  CUSTOM
}
