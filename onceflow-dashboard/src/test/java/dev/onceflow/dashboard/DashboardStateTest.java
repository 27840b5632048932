package dev.onceflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.onceflow.core.metrics.CheckpointStats;
import dev.onceflow.core.metrics.RecoveryEvent;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DashboardStateTest {
  @Test
  void secretsInFailureMessagesAreMaskedBeforeTheyAreShown() {
    DashboardState s = new DashboardState("p", "EXACTLY_ONCE", new SimpleMeterRegistry(), Duration.ofSeconds(1));
    s.onRecovery(new RecoveryEvent(1, RecoveryEvent.Kind.ATTEMPT_FAILED, 1,
        "org.postgresql.util.PSQLException: connect failed for jdbc:postgresql://db/x?user=app&password=hunter2"
            + " sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\""
            + " password=\"s3cret\"; token: abc123", -1, 0, 0));
    String json = new String(s.json(), StandardCharsets.UTF_8);
    assertFalse(json.contains("hunter2"), json);
    assertFalse(json.contains("PlainLoginModule"), json);
    assertFalse(json.contains("abc123"), json);
    assertFalse(json.contains("s3cret"), json);
    assertTrue(json.contains("password=***") && json.contains("user=app"), json);
  }

  /** The page stacks a checkpoint's bar from these fields: every phase of a checkpoint, in milliseconds. */
  @Test
  void aCheckpointCarriesEachOfItsPhases() throws Exception {
    DashboardState s = new DashboardState("p", "EXACTLY_ONCE", new SimpleMeterRegistry(), Duration.ofSeconds(1));
    long ms = 1_000_000;
    s.onCheckpointStats(new CheckpointStats(7, false, 1L, 90 * ms, 60 * ms, 11 * ms, 12 * ms, 13 * ms, 14 * ms,
        20 * ms, 10 * ms, 4096, 0, null));
    var checkpoint = new ObjectMapper().readTree(s.json()).get("checkpoints").get(0);
    assertEquals(7, checkpoint.get("id").asLong());
    String[] fields = {"durationMs", "acknowledgeMs", "barrierStartMs", "alignmentMs", "syncSnapshotMs",
        "snapshotWriteMs", "metadataWriteMs", "sinkCommitMs"};
    double[] expected = {90, 60, 11, 12, 13, 14, 20, 10};
    for (int i = 0; i < fields.length; i++) {
      assertEquals(expected[i], checkpoint.get(fields[i]).asDouble(), 1e-9, fields[i]);
    }
  }

  @Test
  void theDashboardAddressIsPortOrHostAndPort() {
    InetSocketAddress a = DashboardStartHook.address("8080");
    assertTrue(a.getAddress().isLoopbackAddress(), "loopback unless another host is named");
    assertEquals(8080, a.getPort());
    assertEquals(9090, DashboardStartHook.address("127.0.0.1:9090").getPort());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DashboardStartHook.address("x"));
    assertTrue(e.getMessage().contains("onceflow.dashboard"), e.getMessage());
  }
}
