package dev.onceflow.verify;

/**
 * What one nemesis did between (or during) runs, and whether the engine kept its promise there.
 *
 * @param run the run it happened before or during (0-based)
 * @param nemesis {@code rescale}, {@code guarantee}, {@code retention}, {@code freeze}
 * @param what what was tried (e.g. "parallelism 2 -> 4", "guarantee AT_LEAST_ONCE")
 * @param outcome what happened: {@code accepted}, {@code refused}, {@code fenced}, {@code deleted}, ...
 * @param held false if this was a broken promise in itself (a restore that must be refused was accepted; a second
 *     instance ran next to the first without either being stopped)
 * @param detail the engine's message or numbers, for the report
 */
public record NemesisEvent(int run, String nemesis, String what, String outcome, boolean held, String detail) {

  /** The one-line JSON object of this event. */
  public String toJson() {
    return "{\"run\":" + run + ",\"nemesis\":" + Json.quote(nemesis) + ",\"what\":" + Json.quote(what)
        + ",\"outcome\":" + Json.quote(outcome) + ",\"held\":" + held + ",\"detail\":" + Json.quote(detail) + "}";
  }

  @Override
  public String toString() {
    return "run " + run + " " + nemesis + ": " + what + " -> " + outcome + (held ? "" : " (BROKEN)")
        + (detail.isEmpty() ? "" : " (" + detail + ")");
  }
}
