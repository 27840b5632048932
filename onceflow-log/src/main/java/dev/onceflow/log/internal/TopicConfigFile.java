package dev.onceflow.log.internal;

import dev.onceflow.log.CorruptLogException;
import dev.onceflow.log.TopicConfig;
import dev.onceflow.log.UnsupportedLogFormatException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Properties;

/**
 * {@code topic.properties}: a topic's config, written atomically (temp file, fsync, rename). Key {@code format.version}
 * (1) versions it; a file without it was written by round 1 and is read as version 1; another version is refused.
 */
final class TopicConfigFile {
  static final String NAME = "topic.properties";
  static final int VERSION = 1;

  private TopicConfigFile() {}

  static void write(Path topicDir, TopicConfig c, LogContext ctx) throws IOException {
    Properties p = new Properties();
    p.setProperty("format.version", Integer.toString(VERSION));
    p.setProperty("partitions", Integer.toString(c.partitions()));
    p.setProperty("retention.bytes", Long.toString(c.retentionBytes()));
    p.setProperty("retention.ms", Long.toString(c.retentionMs()));
    p.setProperty("segment.bytes", Integer.toString(c.segmentBytes()));
    p.setProperty("retention.ignores.consumer.groups", Boolean.toString(c.retentionIgnoresConsumerGroups()));
    Path tmp = topicDir.resolve(NAME + ".tmp");
    try (var ch = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        OutputStream out = java.nio.channels.Channels.newOutputStream(ch)) {
      p.store(out, "onceflow topic");
      out.flush();
      if (ctx.forces()) {
        ch.force(true);
      }
    }
    Files.move(tmp, topicDir.resolve(NAME), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    ctx.fsyncDirectory(topicDir);
  }

  static TopicConfig read(Path file) throws IOException {
    Properties p = new Properties();
    try (var in = Files.newInputStream(file)) {
      p.load(in);
    }
    String version = p.getProperty("format.version", Integer.toString(VERSION));
    if (!version.equals(Integer.toString(VERSION))) {
      throw new UnsupportedLogFormatException("topic config " + file + " has format.version " + version + "; this"
          + " Onceflow reads version " + VERSION + ". Open the directory with the version that wrote it");
    }
    try {
      return new TopicConfig(Integer.parseInt(p.getProperty("partitions")),
          Long.parseLong(p.getProperty("retention.bytes")), Long.parseLong(p.getProperty("retention.ms")),
          Integer.parseInt(p.getProperty("segment.bytes")),
          Boolean.parseBoolean(p.getProperty("retention.ignores.consumer.groups")));
    } catch (RuntimeException e) {
      throw new CorruptLogException("topic config " + file + " is unreadable (" + e + "); restore it or recreate the"
          + " topic", e);
    }
  }
}
