package dev.onceflow.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClicksTest {
  @TempDir Path dir;

  @Test
  void theTableHoldsEveryClickOnceUnderItsCompositeKey() throws Exception {
    long n = 4_000;
    ExampleRunner.Run run = ExampleRunner.run(new Clicks(), dir, n);
    Map<String, String> expected = new HashMap<>();
    for (InputRecord r : new Clicks().input(n)) {
      String[] f = r.value().split(",");
      expected.put(f[0] + "|" + f[1], f[0] + " " + f[1] + " " + f[2]);
    }
    assertEquals(n, expected.size(), "(user, ts) identifies a click");
    assertEquals(expected, run.table());
  }
}
