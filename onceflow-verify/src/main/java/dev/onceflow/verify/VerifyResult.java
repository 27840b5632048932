package dev.onceflow.verify;

import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

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
 * @param killPoints where each kill landed (phase, estimated progress)
 * @param events what the nemeses did, in run order; an event that is not {@link NemesisEvent#held()} breaks the
 *     promise
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
    List<String> kills,
    List<KillPoint> killPoints,
    List<NemesisEvent> events,
    List<CheckpointRecord> checkpoints) {

  /** Copies the lists. */
  public VerifyResult {
    checkpoints = List.copyOf(checkpoints);
    kills = List.copyOf(kills);
    killPoints = List.copyOf(killPoints);
    events = List.copyOf(events);
  }

  /** A result without a checkpoint timeline. */
  public VerifyResult(VerifyOptions options, long inputRecords, int crashes, int processRestarts, int jobRestarts,
      CheckResult check, boolean promiseHeld, double seconds, Path workDir, boolean workDirKept, String outputTopic,
      int lingeringPrepared, List<String> kills, List<KillPoint> killPoints, List<NemesisEvent> events) {
    this(options, inputRecords, crashes, processRestarts, jobRestarts, check, promiseHeld, seconds, workDir,
        workDirKept, outputTopic, lingeringPrepared, kills, killPoints, events, List.of());
  }

  /** Kills per phase, every phase listed (in {@link KillPoint.Phase} order). */
  public Map<KillPoint.Phase, Integer> killsByPhase() {
    Map<KillPoint.Phase, Integer> m = new EnumMap<>(KillPoint.Phase.class);
    for (KillPoint.Phase p : KillPoint.Phase.values()) {
      m.put(p, 0);
    }
    for (KillPoint k : killPoints) {
      m.merge(k.phase(), 1, Integer::sum);
    }
    return m;
  }

  /** Events of {@code nemesis} with {@code outcome}. */
  public long count(String nemesis, String outcome) {
    return events.stream().filter(e -> e.nemesis().equals(nemesis) && e.outcome().equals(outcome)).count();
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
    StringBuilder phases = new StringBuilder("{");
    for (var e : killsByPhase().entrySet()) {
      phases.append(phases.length() > 1 ? "," : "").append('"').append(e.getKey().cliName()).append("\":")
          .append(e.getValue());
    }
    phases.append('}');
    return "{\"job\":\"" + options.job().cliName() + "\",\"guarantee\":\"" + cli(options.guarantee().name())
        + "\",\"events\":" + options.events() + ",\"crashes\":" + crashes + ",\"restarts\":" + restarts()
        + ",\"effects_expected\":" + check.effectsExpected() + ",\"lost\":" + check.lost() + ",\"duplicated\":"
        + check.duplicated() + ",\"state_lost\":" + check.stateLost() + ",\"state_duplicated\":"
        + check.stateDuplicated() + ",\"exact\":" + check.exact() + ",\"lingering_prepared\":" + lingeringPrepared
        + ",\"promise_held\":" + promiseHeld
        + ",\"seconds\":" + String.format(java.util.Locale.ROOT, "%.3f", seconds) + ",\"work_dir\":"
        + Json.quote(workDirKept ? workDir.toString() : null) + ",\"output_topic\":" + Json.quote(outputTopic)
        + ",\"nemeses\":" + Json.quote(options.nemeses().toString()) + ",\"kill_phases\":" + phases
        + ",\"kill_points\":" + array(killPoints.stream().map(KillPoint::toJson).toList())
        + ",\"nemesis_events\":" + array(events.stream().map(NemesisEvent::toJson).toList()) + "}";
  }

  private static String array(List<String> items) {
    return "[" + String.join(",", items) + "]";
  }

  private static String cli(String guarantee) {
    return guarantee.toLowerCase(java.util.Locale.ROOT).replace('_', '-');
  }
}
