package dev.onceflow.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onceflow.core.Guarantee;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobRunSpecTest {
  @Test
  void childArgumentsRoundTrip() {
    JobRunSpec spec = new JobRunSpec(Job.TAG_COUNT, Guarantee.AT_MOST_ONCE, Path.of("/w/log"), Path.of("/w/c"), 3,
        150, 512, 99, 1000, 7000, 86_400_000);
    assertEquals(spec, JobRunSpec.fromArgs(spec.toArgs().toArray(String[]::new)));
    JobRunSpec withIo = new JobRunSpec(Job.LEDGER, Guarantee.EXACTLY_ONCE, Path.of("/w/log"), Path.of("/w/c"), 2,
        200, 10, -1, 1000, 0, 0, java.util.Map.of(ChildIo.INPUT, "log", "servers", "127.0.0.1:9092=x"));
    assertEquals(withIo, JobRunSpec.fromArgs(withIo.toArgs().toArray(String[]::new)));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> JobRunSpec.fromArgs("job=ledger"));
    assertTrue(e.getMessage().contains("is missing"), e.getMessage());
  }

  @Test
  void clicksKeepsExactlyOnceThroughIdempotenceOnAnAtLeastOnceEngine() {
    assertEquals(Guarantee.AT_LEAST_ONCE, JobPipelines.effectiveGuarantee(Job.CLICKS, Guarantee.EXACTLY_ONCE));
    assertEquals(Guarantee.EXACTLY_ONCE, JobPipelines.effectiveGuarantee(Job.LEDGER, Guarantee.EXACTLY_ONCE));
    assertEquals(Guarantee.AT_MOST_ONCE, JobPipelines.effectiveGuarantee(Job.CLICKS, Guarantee.AT_MOST_ONCE));
  }

  @Test
  void resultJsonIsOneValidObjectWithEscapedPaths() throws Exception {
    VerifyOptions o = VerifyOptions.of(Job.CLICKS, Guarantee.AT_LEAST_ONCE, 10, 2, 1);
    VerifyResult r = new VerifyResult(o, 10, 2, 2, 1, new CheckResult(10, 12, 0, 0, true, List.of()), true, 1.5,
        Path.of("/tmp/a \"quoted\" dir"), true, "clicks-output", 0, List.of(),
        List.of(new KillPoint(0, "PROGRESS@0.50#1+1.0ms", "PROGRESS 5", KillPoint.Phase.MID_RUN, 0.5)),
        List.of(new NemesisEvent(1, "guarantee", "guarantee AT_LEAST_ONCE -> EXACTLY_ONCE", "refused", true,
            "checkpoint 3 was taken under \"AT_LEAST_ONCE\"")));
    JsonNode j = new ObjectMapper().readTree(r.toJson());
    assertEquals("at-least-once", j.get("guarantee").asText());
    assertEquals(3, j.get("restarts").asInt());
    assertEquals("/tmp/a \"quoted\" dir", j.get("work_dir").asText());
    assertTrue(j.get("promise_held").asBoolean());
    assertEquals(1, j.get("kill_phases").get("mid-run").asInt());
    assertEquals(0, j.get("kill_phases").get("final-flush").asInt());
    assertEquals(0.5, j.get("kill_points").get(0).get("progress").asDouble());
    assertEquals("refused", j.get("nemesis_events").get(0).get("outcome").asText());
    assertEquals(0, j.get("state_duplicated").asInt());
  }

  @Test
  void badOptionsNameTheFlag() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> VerifyOptions.of(Job.LEDGER, Guarantee.EXACTLY_ONCE, 10, 1, 1).withPartitions(0));
    assertTrue(e.getMessage().startsWith("--partitions"), e.getMessage());
  }
}
