package dev.onceflow.verify.custom;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.CheckResult;
import dev.onceflow.verify.KillPoint;
import dev.onceflow.verify.NemesisEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * What a {@link Verification} found.
 *
 * @param job the job's class name
 * @param guarantee the guarantee verified
 * @param events input records
 * @param crashes SIGKILLs that happened (fewer than asked if the job finished first)
 * @param jobRestarts in-process restarts after injected exceptions
 * @param check the findings on the committed output
 * @param lingering prepared transactions left undecided in the output log (must be 0 under EXACTLY_ONCE)
 * @param promiseHeld whether the guarantee's promise held: {@link CheckResult#promiseHeld}, and no prepared
 *     transaction left under EXACTLY_ONCE
 * @param killPoints where each kill landed
 * @param workDir the work directory (log, checkpoints, child-stderr.log)
 * @param workDirKept whether it still exists (a temporary one is deleted after a held promise)
 * @param seconds wall time
 * @param nemesisEvents what the nemeses did ({@link Verification#rescale}, {@link Verification#freezes}), in run
 *     order; one that is not {@link NemesisEvent#held()} breaks the promise
 */
public record VerificationReport(String job, Guarantee guarantee, long events, int crashes, int jobRestarts,
    CheckResult check, int lingering, boolean promiseHeld, List<KillPoint> killPoints, Path workDir,
    boolean workDirKept, double seconds, List<NemesisEvent> nemesisEvents) {

  /** Copies the lists. */
  public VerificationReport {
    killPoints = List.copyOf(killPoints);
    nemesisEvents = List.copyOf(nemesisEvents);
  }

  /** A report without nemeses. */
  public VerificationReport(String job, Guarantee guarantee, long events, int crashes, int jobRestarts,
      CheckResult check, int lingering, boolean promiseHeld, List<KillPoint> killPoints, Path workDir,
      boolean workDirKept, double seconds) {
    this(job, guarantee, events, crashes, jobRestarts, check, lingering, promiseHeld, killPoints, workDir,
        workDirKept, seconds, List.of());
  }

  /** Expected effects lost. */
  public long lost() {
    return check.lost();
  }

  /** Effects repeated, or not expected at all. */
  public long duplicated() {
    return check.duplicated();
  }

  /** Whether the output is exactly the expected one. */
  public boolean exact() {
    return check.exact();
  }

  /** A few lines for a person: the numbers, the verdict, the kill points, the first problems, the work directory. */
  public String toText() {
    StringBuilder b = new StringBuilder();
    b.append(String.format(Locale.ROOT, "%s under %s: %d events, %d kills, %d in-process restarts, %.1f s%n", job,
        guarantee, events, crashes, jobRestarts, seconds));
    b.append(String.format(Locale.ROOT, "lost %d, duplicated %d, exact %s, lingering transactions %d: promise %s%n",
        check.lost(), check.duplicated(), check.exact() ? "yes" : "no", lingering,
        promiseHeld ? "held" : "BROKEN"));
    for (KillPoint k : killPoints) {
      b.append("  kill ").append(k).append('\n');
    }
    for (NemesisEvent e : nemesisEvents) {
      b.append("  nemesis ").append(e).append('\n');
    }
    for (String p : check.problems()) {
      b.append("  problem: ").append(p).append('\n');
    }
    if (workDirKept) {
      b.append("work directory (log, checkpoints, child-stderr.log): ").append(workDir).append('\n');
    }
    return b.toString();
  }

  /** The report as one JSON object. */
  public String toJson() {
    return String.format(Locale.ROOT, "{\"pipeline\":\"%s\",\"guarantee\":\"%s\",\"events\":%d,\"crashes\":%d,"
        + "\"job_restarts\":%d,\"effects_expected\":%d,\"output_records\":%d,\"lost\":%d,\"duplicated\":%d,"
        + "\"exact\":%s,\"lingering_transactions\":%d,\"promise_held\":%s,\"kill_points\":[%s],"
        + "\"nemesis_events\":[%s],\"problems\":[%s],"
        + "\"work_dir\":\"%s\",\"work_dir_kept\":%s,\"seconds\":%.1f}", job, guarantee, events, crashes, jobRestarts,
        check.effectsExpected(), check.outputRecords(), check.lost(), check.duplicated(), check.exact(), lingering,
        promiseHeld, killPoints.stream().map(KillPoint::toJson).collect(Collectors.joining(",")),
        nemesisEvents.stream().map(NemesisEvent::toJson).collect(Collectors.joining(",")),
        check.problems().stream().map(VerificationReport::quote).collect(Collectors.joining(",")),
        workDir.toString().replace("\\", "\\\\").replace("\"", "\\\""), workDirKept, seconds);
  }

  private static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      switch (c) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        default -> b.append(c < 0x20 ? String.format("\\u%04x", (int) c) : String.valueOf(c));
      }
    }
    return b.append('"').toString();
  }
}
