package dev.onceflow.jdbc;

/** One JSON line per rejected row (no JSON library in this module). */
final class DeadLetterJson {
  private DeadLetterJson() {}

  static String of(RejectedRow r) {
    StringBuilder b = new StringBuilder("{\"v\":1,\"sink\":");
    str(b, r.sink());
    b.append(",\"table\":");
    str(b, r.table());
    b.append(",\"sqlState\":");
    str(b, r.sqlState());
    b.append(",\"message\":");
    str(b, r.message());
    b.append(",\"values\":[");
    for (int i = 0; i < r.values().size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      str(b, r.values().get(i));
    }
    return b.append("]}").toString();
  }

  private static void str(StringBuilder b, String s) {
    if (s == null) {
      b.append("null");
      return;
    }
    b.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    b.append('"');
  }
}
