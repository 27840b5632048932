package dev.onceflow.log.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.onceflow.log.Log;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.UnsupportedLogFormatException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every persisted file carries a format version; an unknown one is refused, a round-1 file without one is read. */
class FormatVersionTest {
  @TempDir Path dir;

  private Path topicProperties() {
    try (Log log = Log.open(dir)) {
      log.createTopic("t", TopicConfig.builder().partitions(3).build());
    }
    return dir.resolve("topics/t").resolve(TopicConfigFile.NAME);
  }

  @Test
  void topicConfigWithAnUnknownVersionIsRefused() throws Exception {
    Path f = topicProperties();
    String text = Files.readString(f, StandardCharsets.ISO_8859_1);
    assertTrue(text.contains("format.version=1"), text);
    Files.writeString(f, text.replace("format.version=1", "format.version=7"), StandardCharsets.ISO_8859_1);
    UnsupportedLogFormatException e = assertThrows(UnsupportedLogFormatException.class, () -> Log.open(dir));
    assertTrue(e.getMessage().contains(f.toString()) && e.getMessage().contains("format.version 7"), e.getMessage());
  }

  @Test
  void aRoundOneTopicConfigWithoutVersionIsRead() throws Exception {
    Path f = topicProperties();
    String text = Files.readString(f, StandardCharsets.ISO_8859_1);
    Files.writeString(f, text.replace("format.version=1", ""), StandardCharsets.ISO_8859_1);
    try (Log log = Log.open(dir)) {
      assertEquals(3, log.partitions("t"));
    }
  }
}
