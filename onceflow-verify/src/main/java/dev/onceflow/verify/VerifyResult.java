package dev.onceflow.verify;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of one verifier run.
 *
 * @param options what was run
 * @param inputRecords records written to the input topic (payments: including the retries)
 * @param crashes SIGKILLs done
 * @param processRestarts child JVMs started after a kill
 * @param jobRestarts in-process restarts after injected (or real) exceptions, summed over all child runs
 * @param check what the checker found
 * @param promiseHeld whether the output keeps the promise of the guarantee asked for
 * @param seconds wall-clock time of the run (input writing, children, checking)
 * @param workDir the work directory (deleted afterwards if it was temporary and the promise held)
 * @param workDirKept whether the work directory still exists
 * @param outputTopic the output topic in {@code <workDir>/log} (for clicks: the upsert table)
 * @param lingeringPrepared PREPARED transactions left undecided in the log at the end (should be 0)
 * @param kills one line per kill
 */
public record VerifyResult(
    VerifyOptions options,
    long inputRecords,
    int crashes,
    int processRestarts,
    int jobRestarts,
    CheckResult check,
    boolean promiseHeld,
    double seconds,
    Path workDir,
    boolean workDirKept,
    String outputTopic,
    int lingeringPrepared,
    List<String> kills) {

  /** Copies the list. */
  public VerifyResult {
    kills = List.copyOf(kills);
  }

  /** Process restarts plus in-process job restarts. */
  public int restarts() {
    return processRestarts + jobRestarts;
  }

  /** Input events per second of wall-clock time. */
  public double eventsPerSecond() {
    return seconds <= 0 ? 0 : options.events() / seconds;
  }

  /** The one-line JSON object of {@code onceflow verify --json}. */
  public String toJson() {
    return "{\"job\":\"" + options.job().cliName() + "\",\"guarantee\":\"" + cli(options.guarantee().name())
        + "\",\"events\":" + options.events() + ",\"crashes\":" + crashes + ",\"restarts\":" + restarts()
        + ",\"effects_expected\":" + check.effectsExpected() + ",\"lost\":" + check.lost() + ",\"duplicated\":"
        + check.duplicated() + ",\"exact\":" + check.exact() + ",\"promise_held\":" + promiseHeld
        + ",\"seconds\":" + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ",\"work_dir\":"
        + quote(workDirKept ? workDir.toString() : null) + ",\"output_topic\":" + quote(outputTopic) + "}";
  }

  private static String cli(String guarantee) {
    return guarantee.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }

  private static String quote(String s) {
    if (s == null) {
      return "null";
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20) {
            b.append(String.format("\\u%04x", (int) c));
          } else {
            b.append(c);
          }
        }
      }
    }
    return b.append('"').toString();
  }
}
