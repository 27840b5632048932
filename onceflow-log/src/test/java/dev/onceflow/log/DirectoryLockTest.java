package dev.onceflow.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryLockTest {
  @TempDir Path dir;

  @Test
  void anotherProcessOwningTheDirectoryIsNamedByPidAndKill9ReleasesIt() throws Exception {
    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-cp", System.getProperty("java.class.path"), LockHolderChild.class.getName(), dir.toString())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    try {
      BufferedReader in = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      String line = in.readLine(); // waits for the child to own the directory
      assertTrue(line != null && line.startsWith("OPEN "), "child said: " + line);
      LogLockedException e = assertThrows(LogLockedException.class, () -> Log.open(dir));
      assertEquals(child.pid(), e.holderPid());
      assertTrue(e.getMessage().contains(Long.toString(child.pid())), e.getMessage());
    } finally {
      child.destroyForcibly();
      child.waitFor();
    }
    try (Log log = Log.open(dir)) { // the OS released the lock with the process
      assertTrue(log.topics().isEmpty());
    }
  }
}
