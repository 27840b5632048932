package dev.onceflow.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.onceflow.verify.CheckpointRecord;
import dev.onceflow.verify.KillPoint;
import dev.onceflow.verify.NemesisEvent;
import dev.onceflow.verify.VerifyResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Properties;

/**
 * {@code --report FILE}: one self-contained HTML file (ECharts inlined from the dashboard's WebJar, the results as
 * JSON, no network needed) that shows at a glance whether each promise held: per run the lost and duplicated effects
 * beside the guarantee, a kill timeline (per run, each kill at the fraction of the input read when it fired,
 * by phase), the checkpoint timeline of each verification (every checkpoint of every child process, stacked by
 * phase, failed ones marked), with the table of numbers and the nemesis events.
 */
final class VerifyReport {
  private VerifyReport() {}

  /** Writes the report of {@code results} to {@code file} (atomically: a temporary file renamed). */
  static void write(Path file, String title, List<VerifyResult> results) throws IOException {
    ObjectMapper json = new ObjectMapper();
    ArrayNode runs = json.createArrayNode();
    for (VerifyResult r : results) {
      ObjectNode o = runs.addObject();
      o.put("label", r.options().job().cliName() + " / " + VerifyCommand.cliName(r.options().guarantee()));
      o.put("job", r.options().job().cliName());
      o.put("guarantee", VerifyCommand.cliName(r.options().guarantee()));
      o.put("events", r.options().events());
      o.put("crashes", r.crashes());
      o.put("restarts", r.restarts());
      o.put("lost", r.check().lost());
      o.put("duplicated", r.check().duplicated());
      o.put("exact", r.check().exact());
      o.put("promiseHeld", r.promiseHeld());
      o.put("seconds", r.seconds());
      o.put("lingeringPrepared", r.lingeringPrepared());
      ArrayNode kills = o.putArray("kills");
      for (KillPoint k : r.killPoints()) {
        ObjectNode kn = kills.addObject();
        kn.put("run", k.run());
        kn.put("phase", k.phase().cliName());
        kn.put("progress", k.progress());
        kn.put("trigger", k.trigger());
      }
      ArrayNode checkpoints = o.putArray("checkpoints");
      for (CheckpointRecord c : r.checkpoints()) {
        checkpoints.addObject().put("run", c.run()).put("id", c.id()).put("final", c.finalCheckpoint())
            .put("at", c.triggeredAtMillis()).put("total", c.totalMicros() / 1000.0)
            .put("ack", c.acknowledgeMicros() / 1000.0).put("start", c.barrierStartMicros() / 1000.0)
            .put("align", c.alignmentMicros() / 1000.0).put("sync", c.syncSnapshotMicros() / 1000.0)
            .put("snapshot", c.snapshotWriteMicros() / 1000.0).put("metadata", c.metadataWriteMicros() / 1000.0)
            .put("commit", c.sinkCommitMicros() / 1000.0).put("bytes", c.sizeBytes())
            .put("failure", c.failure());
      }
      ArrayNode events = o.putArray("nemeses");
      for (NemesisEvent e : r.events()) {
        events.addObject().put("run", e.run()).put("nemesis", e.nemesis()).put("what", e.what())
            .put("outcome", e.outcome()).put("held", e.held());
      }
    }
    String data = json.writeValueAsString(runs).replace("</", "<\\/"); // safe inside <script>
    String html = template()
        .replace("@TITLE@", escape(title))
        .replace("@ECHARTS@", echarts().replace("</script", "<\\/script"))
        .replace("@DATA@", data);
    Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".report", ".html");
    Files.writeString(tmp, html, StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }

  private static String echarts() throws IOException {
    Properties p = new Properties();
    try (InputStream in = VerifyReport.class.getResourceAsStream("/dev/onceflow/dashboard/build.properties")) {
      if (in == null) {
        throw new IOException("dev/onceflow/dashboard/build.properties is missing from the class path");
      }
      p.load(in);
    }
    String name = "/META-INF/resources/webjars/echarts/" + p.getProperty("echarts.version") + "/dist/echarts.min.js";
    try (InputStream in = VerifyReport.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IOException(name + " is missing from the class path (the ECharts WebJar)");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private static String template() throws IOException {
    try (InputStream in = VerifyReport.class.getResourceAsStream("verify-report.html")) {
      if (in == null) {
        throw new IOException("dev/onceflow/cli/verify-report.html is missing from the class path");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
