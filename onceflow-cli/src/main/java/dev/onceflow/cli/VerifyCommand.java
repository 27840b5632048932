package dev.onceflow.cli;

import dev.onceflow.core.Guarantee;
import dev.onceflow.verify.ChildFailedException;
import dev.onceflow.verify.IoOptions;
import dev.onceflow.verify.Job;
import dev.onceflow.verify.Nemeses;
import dev.onceflow.verify.VerifyOptions;
import dev.onceflow.verify.VerifyResult;
import dev.onceflow.verify.Verifier;
import dev.onceflow.verify.kafka.KafkaIo;
import dev.onceflow.verify.postgres.PostgresIo;
import dev.onceflow.verify.postgres.PostgresSinkMode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code onceflow verify}: one job under one guarantee, killed with SIGKILL, checked against its input. */
@Command(
    name = "verify",
    mixinStandardHelpOptions = true,
    description = {
        "Runs a job in a child JVM, kills it with SIGKILL --crashes times at seeded moments spread over the whole"
            + " run (records read, a sink's prepare, a completed checkpoint, a sink commit, start-up and recovery, the"
            + " end-of-input flush and final checkpoint), restarts it until it finished, then checks the committed"
            + " output against the output recomputed from the input. Each kill is reported with its phase and"
            + " estimated progress.",
        "Nemeses (seeded, reported): --rescale (another parallelism on each restart), --retention (retention on"
            + " the input between restarts), --guarantee-change (restarts under another guarantee, which must be"
            + " refused), --skewed (one sparse, one dense partition), --freezes N (SIGSTOP the child, start a second"
            + " one on the same directories, SIGCONT), or --nemeses all.",
        "--pipeline CLASS --classpath JAR verifies your own pipeline (a VerifiableJob) the same way; --events,"
            + " --crashes, --seed, --partitions, --parallelism, --checkpoint-interval, --faults, --work-dir and --json"
            + " apply to it.",
        "Exit code: 0 the promise held, 1 broken (or the child failed), 2 bad usage."})
final class VerifyCommand implements Callable<Integer> {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @CommandLine.Mixin DashboardOption dashboardOption = new DashboardOption();

  @Option(names = "--report", paramLabel = "FILE",
      description = "Also write a self-contained HTML report (lost/duplicated bars, kill timeline, numbers) to FILE.")
  Path reportFile;

  @Option(names = "--job", description = "ledger, tag-count, payments, clicks, orders (two sinks in one checkpoint:"
      + " inventory and accepted/rejected events; with --sink postgres the inventory is a table, the events stay on"
      + " the --io store) or payments-limits (a two-input keyed operator with event-time timers) (or --pipeline).")
  String job;

  @Option(names = "--pipeline", paramLabel = "CLASS", description = "Verify your own pipeline instead of a built-in"
      + " job: a class implementing dev.onceflow.verify.custom.VerifiableJob (see onceflow-verify/README.md).")
  String pipeline;

  @Option(names = "--classpath", paramLabel = "CP", defaultValue = "",
      description = "With --pipeline: the jar(s) or class directories holding it, separated by '"
          + "${sys:path.separator}'.")
  String classpath;

  @Option(names = "--guarantee", required = true, description = "exactly-once, at-least-once or at-most-once.")
  String guarantee;

  @Option(names = "--events", defaultValue = "20000", description = "Input events (default ${DEFAULT-VALUE}).")
  long events;

  @Option(names = "--crashes", defaultValue = "5", description = "SIGKILLs to inject (default ${DEFAULT-VALUE}).")
  int crashes;

  @Option(names = "--seed", defaultValue = "1", description = "Seed of the kill and fault schedule (default 1).")
  long seed;

  @Option(names = "--partitions", defaultValue = "4", description = "Input topic partitions (default 4).")
  int partitions;

  @Option(names = "--parallelism", defaultValue = "2", description = "Subtasks per stage (default 2).")
  int parallelism;

  @Option(names = "--checkpoint-interval", defaultValue = "200", paramLabel = "MS",
      description = "Checkpoint interval in ms (default 200).")
  long checkpointInterval;

  @Option(names = "--dedup-ttl", defaultValue = "3600000", paramLabel = "MS",
      description = "payments: deduplication TTL in event-time ms (default 1 h).")
  long dedupTtl;

  @Option(names = "--rate", defaultValue = "-1", paramLabel = "RECORDS_PER_S",
      description = "Source pace: -1 auto (one pass over the input lasts ~2 s, so kills land mid-run), 0 none.")
  long rate;

  @Option(names = "--faults", description = "Also inject exceptions in source, operator, sink, pre-commit, commit.")
  boolean faults;

  @Option(names = "--rescale", description = "Run each restart with another parallelism (up and down).")
  boolean rescale;

  @Option(names = "--retention", description = "Small input segments with a size limit; run retention between"
      + " restarts (once a checkpoint completed). Nothing may be skipped silently.")
  boolean retention;

  @Option(names = "--guarantee-change", description = "Some restarts first try another guarantee on the same"
      + " directories: it must be refused (a refusal is held), then the run goes on with --guarantee.")
  boolean guaranteeChange;

  @Option(names = "--skewed", description = "Input layout with one sparse (1 %%) and one dense (60 %%) partition, so"
      + " sources finish at very different times.")
  boolean skewed;

  @Option(names = "--freezes", defaultValue = "0", paramLabel = "N", description = "SIGSTOP the running child N"
      + " times, start a second instance on the same directories (it must be refused, or fence the first), then"
      + " SIGCONT it (default 0).")
  int freezes;

  @Option(names = "--nemeses", paramLabel = "LIST", description = "'all' (every nemesis, 1 freeze unless --freezes"
      + " is given) or a comma-separated list of rescale, retention, guarantee-change, skewed, freeze.")
  String nemeses;

  @Option(names = "--work-dir", paramLabel = "DIR",
      description = "New or empty work directory (kept). Default: a temporary one, kept only if the promise broke.")
  Path workDir;

  @Option(names = "--json", description = "Print exactly one JSON object on stdout.")
  boolean json;

  @Option(names = "--io", defaultValue = "log", paramLabel = "STORE",
      description = "Where the input is written and read from, and (unless --sink) where the output goes: log (the"
          + " embedded log, default) or kafka (topics on a Kafka cluster: --bootstrap-servers, or a local broker"
          + " started for the verification in a separate JVM and stopped after it; not with --retention).")
  String io;

  @Option(names = "--bootstrap-servers", paramLabel = "HOST:PORT[,...]",
      description = "With kafka as --io or --sink: the cluster to use (topics and transactional ids get a prefix of"
          + " their own). Default: start a local broker.")
  String bootstrapServers;

  @Option(names = "--sink", paramLabel = "STORE",
      description = "Where the output goes, if not the --io store: log, kafka, or postgres (a table per job,"
          + " written by the --sink-mode sink, read back committed).")
  String sink;

  @Option(names = "--sink-mode", paramLabel = "MODE",
      description = "--sink postgres: upsert, insert-unique, exactly-once or two-phase (default: exactly-once under"
          + " exactly-once, upsert otherwise and for clicks).")
  String sinkMode;

  @Option(names = "--jdbc-url", paramLabel = "URL",
      description = "--sink postgres: the database to write to (no password in it: use PGPASSWORD/PGUSER). Default:"
          + " a throwaway server started from the machine's PostgreSQL binaries for this verification.")
  String jdbcUrl;

  IoOptions ioOptions() {
    IoOptions o = IoOptions.LOG.withInput(io).withOutput(sink == null ? io : sink);
    if (sinkMode != null) {
      o = o.with(PostgresIo.MODE, sinkMode);
    }
    if (jdbcUrl != null) {
      o = o.with(PostgresIo.URL, jdbcUrl);
    }
    if ((sinkMode != null || jdbcUrl != null) && !PostgresIo.STORE.equals(o.output())) {
      throw new IllegalArgumentException("--sink-mode and --jdbc-url need --sink postgres");
    }
    if (bootstrapServers != null) {
      if (!o.input().equals(KafkaIo.NAME) && !o.output().equals(KafkaIo.NAME)) {
        throw new IllegalArgumentException("--bootstrap-servers needs --io kafka or --sink kafka");
      }
      o = o.with(KafkaIo.BOOTSTRAP_SERVERS, bootstrapServers);
    }
    return o;
  }

  Nemeses nemeses(CommandLine cmd) {
    Nemeses n = new Nemeses(rescale, retention, guaranteeChange, skewed, freezes);
    if (nemeses == null) {
      return n;
    }
    for (String name : nemeses.split(",")) {
      switch (name.trim().toLowerCase(Locale.ROOT)) {
        case "all" -> n = Nemeses.all(Math.max(1, freezes));
        case "rescale" -> n = n.withRescale(true);
        case "retention" -> n = n.withRetention(true);
        case "guarantee-change" -> n = n.withGuaranteeChange(true);
        case "skewed" -> n = n.withSkewed(true);
        case "freeze" -> n = n.withFreezes(Math.max(1, freezes));
        case "", "none" -> { }
        default -> throw new CommandLine.ParameterException(cmd, "unknown nemesis '" + name + "' in --nemeses: use"
            + " all, or a comma-separated list of rescale, retention, guarantee-change, skewed, freeze");
      }
    }
    return n;
  }

  static Guarantee parseGuarantee(CommandLine cmd, String text) {
    return switch (text.toLowerCase(Locale.ROOT)) {
      case "exactly-once", "exactly_once" -> Guarantee.EXACTLY_ONCE;
      case "at-least-once", "at_least_once" -> Guarantee.AT_LEAST_ONCE;
      case "at-most-once", "at_most_once" -> Guarantee.AT_MOST_ONCE;
      default -> throw new CommandLine.ParameterException(cmd,
          "unknown guarantee '" + text + "': use exactly-once, at-least-once or at-most-once");
    };
  }

  static String cliName(Guarantee g) {
    return g.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  @Override
  public Integer call() throws InterruptedException {
    dashboardOption.apply();
    CommandLine cmd = spec.commandLine();
    if (pipeline != null) {
      if (job != null) {
        throw new CommandLine.ParameterException(cmd, "give --job or --pipeline, not both");
      }
      return VerifyPipelineRun.run(this, cmd);
    }
    if (job == null) {
      throw new CommandLine.ParameterException(cmd, "Missing --job NAME (ledger, tag-count, payments, clicks, orders,"
          + " payments-limits) or --pipeline CLASS");
    }
    VerifyOptions options;
    try {
      options = VerifyOptions.of(Job.fromName(job), parseGuarantee(cmd, guarantee), events, crashes, seed)
          .withPartitions(partitions).withParallelism(parallelism).withCheckpointIntervalMs(checkpointInterval)
          .withDedupTtlMs(dedupTtl).withRecordsPerSecond(rate).withFaults(faults).withWorkDir(workDir)
          .withNemeses(nemeses(cmd)).withIo(ioOptions());
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    }
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    VerifyResult r;
    try {
      r = json ? Verifier.run(options) : Verifier.run(options, new ProgressBar(err, options));
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(cmd, e.getMessage());
    } catch (ChildFailedException e) {
      err.println("onceflow verify: the job failed (this is an engine or environment error, not a checked"
          + " promise): " + e.getMessage());
      err.flush();
      return 1;
    }
    if (!json) {
      err.print("\r\033[K");
      err.flush();
    }
    if (json) {
      out.println(r.toJson());
    } else {
      report(out, r);
    }
    out.flush();
    if (reportFile != null) {
      try {
        VerifyReport.write(reportFile, "onceflow verify: " + r.options().job().cliName() + " under "
            + cliName(r.options().guarantee()), List.of(r));
        err.println("report: " + reportFile.toAbsolutePath());
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException("cannot write the report " + reportFile + ": " + e.getMessage(), e);
      }
      err.flush();
    }
    return r.promiseHeld() ? 0 : 1;
  }

  static void report(PrintWriter out, VerifyResult r) {
    VerifyOptions o = r.options();
    out.printf("onceflow verify: job %s under %s%n", o.job().cliName(), cliName(o.guarantee()));
    out.printf("  events            %d (input records %d, %d partitions, parallelism %d, checkpoints every %d ms%s)%n",
        o.events(), r.inputRecords(), o.partitions(), o.parallelism(), o.checkpointIntervalMs(),
        o.faults() ? ", injected faults" : "");
    out.printf("  crashes (SIGKILL) %d of %d planned, seed %d%n", r.crashes(), o.crashes(), o.seed());
    StringBuilder phases = new StringBuilder();
    r.killsByPhase().forEach((p, k) -> phases.append(phases.length() == 0 ? "" : ", ").append(k).append(' ')
        .append(p.cliName()));
    out.printf("  kills by phase    %s%n", phases);
    out.printf("  nemeses           %s (input layout %s)%n", o.nemeses(), o.nemeses().layout().cliName());
    out.printf("  restarts          %d (%d new processes after a kill, %d in-process after an exception)%n",
        r.restarts(), r.processRestarts(), r.jobRestarts());
    out.printf("  effects expected  %d%n", r.check().effectsExpected());
    out.printf("  lost              %d%n", r.check().lost());
    out.printf("  duplicated        %d%n", r.check().duplicated());
    out.printf("  state effects     %d applied twice, %d missing (ledger: seen in seq and balance)%n",
        r.check().stateDuplicated(), r.check().stateLost());
    out.printf("  exact             %s%n", r.check().exact() ? "yes" : "no");
    out.printf("  promise           %s (%s)%n", r.promiseHeld() ? "HELD" : "BROKEN", promiseText(o.guarantee()));
    out.printf("  time              %.1f s%n", r.seconds());
    Path log = r.workDir().resolve("log");
    String where = r.workDirKept() ? log.toString() : log + " (deleted; pass --work-dir to keep it)";
    if (o.io().output().equals(KafkaIo.NAME)) {
      out.printf("  output topic      <prefix>.%s on Kafka (read committed%s; prefix in the children's io.%s"
          + " argument)%n", r.outputTopic(), o.job() == Job.CLICKS ? ", as a table: last value per key" : "",
          KafkaIo.PREFIX);
    } else if (PostgresIo.STORE.equals(o.io().output())) {
      String url = o.io().settings().get(PostgresIo.URL);
      out.printf("  table             %s (sink mode %s) in %s%n", PostgresIo.table(PostgresIo.prefix(r.workDir()),
          o.job()), o.io().settings().getOrDefault(PostgresIo.MODE,
          PostgresSinkMode.defaultFor(o.job(), o.guarantee()).cliName()),
          url == null ? "a throwaway PostgreSQL server (stopped; rows kept in the work directory if it is kept)"
              : PostgresIo.redact(url));
    } else if (o.job() == Job.CLICKS) {
      out.printf("  table             topic %s in %s, read as a table: last value per key (session|ts)%n",
          r.outputTopic(), where);
    } else {
      out.printf("  output topic      %s (read committed) in %s%n", r.outputTopic(), where);
    }
    if (r.lingeringPrepared() > 0) {
      out.printf("  WARNING           %d prepared transactions were left undecided %s%n",
          r.lingeringPrepared(), PostgresIo.STORE.equals(o.io().output()) ? "in pg_prepared_xacts" : "in the log");
    }
    if (!r.killPoints().isEmpty()) {
      out.println("  kills:");
      for (var k : r.killPoints()) {
        out.println("    " + k);
      }
    }
    if (!r.events().isEmpty()) {
      out.println("  nemesis events:");
      for (var e : r.events()) {
        out.println("    " + e);
      }
    }
    if (!r.check().problems().isEmpty()) {
      out.println("  first problems:");
      for (String p : r.check().problems()) {
        out.println("    " + p);
      }
    }
  }

  static String promiseText(Guarantee g) {
    return switch (g) {
      case EXACTLY_ONCE -> "exactly-once: nothing lost, nothing duplicated, in output and state; output exact";
      case AT_LEAST_ONCE -> "at-least-once: nothing lost, in output and state";
      case AT_MOST_ONCE -> "at-most-once: nothing duplicated, in output and state";
    };
  }

  /** A one-line progress display on stderr, fed with the child's progress lines. */
  static final class ProgressBar implements java.util.function.Consumer<String> {
    private final PrintWriter err;
    private final VerifyOptions options;
    private int runs;
    private long read;
    private long lastDraw;

    ProgressBar(PrintWriter err, VerifyOptions options) {
      this.err = err;
      this.options = options;
    }

    @Override
    public void accept(String line) {
      if (line.equals("STARTED")) {
        runs++;
        read = 0;
      } else if (line.startsWith("PROGRESS ")) {
        read = Long.parseLong(line.substring(9).trim());
      }
      long now = System.nanoTime();
      if (now - lastDraw < 100_000_000L && !line.equals("STARTED")) {
        return;
      }
      lastDraw = now;
      int width = 30;
      long total = Math.max(1, options.events());
      int filled = (int) Math.min(width, read * width / total);
      err.print("\r\033[K[" + "#".repeat(filled) + " ".repeat(width - filled) + "] run " + runs + ", kills "
          + Math.max(0, runs - 1) + "/" + options.crashes() + ", read " + read + " in this run");
      err.flush();
    }
  }
}
