package dev.onceflow.kafka.broker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A start that stops making progress fails, naming what it waited for, and leaves no process behind. */
class LocalKafkaBrokerStartTest {
  @TempDir Path tmp;

  @Test
  void aStartWithoutProgressFailsNamingWhatItWaitedFor() throws Exception {
    LocalKafkaBroker b = LocalKafkaBroker.create(tmp.resolve("broker"), System.getProperty("java.class.path"),
        HungBrokerMain.class.getName(), Duration.ofSeconds(3), Duration.ofMinutes(5));
    long t0 = System.nanoTime();
    IOException e = assertThrows(IOException.class, b::start);
    long took = System.nanoTime() - t0;
    String m = e.getMessage();
    assertTrue(m.contains("no progress for 3 s"), m);
    assertTrue(m.contains("the broker's listener to open port " + b.bootstrapServers().split(":")[1]), m);
    assertTrue(m.contains("hung broker: reading"), "the log's last lines are in the error: " + m);
    assertTrue(m.contains("broker.log"), m);
    assertTrue(took < Duration.ofMinutes(4).toNanos(), "the stall limit, not the start limit, ended it");
    assertFalse(b.isAlive(), "the hung process is stopped");
  }
}
