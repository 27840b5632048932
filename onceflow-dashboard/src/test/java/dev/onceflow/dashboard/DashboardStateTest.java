package dev.onceflow.dashboard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
