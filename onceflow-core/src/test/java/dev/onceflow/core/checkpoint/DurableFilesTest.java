package dev.onceflow.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DurableFilesTest {
  @TempDir Path tmp;

  @Test
  void deleteTreeRemovesNestedDirectoriesAndLinksButNotWhatALinkPointsTo() throws Exception {
    Path outside = Files.createDirectories(tmp.resolve("outside"));
    Files.writeString(outside.resolve("keep"), "x");
    Path tree = Files.createDirectories(tmp.resolve("chk-7/a/b"));
    Files.writeString(tree.resolve("f"), "y");
    Files.writeString(tmp.resolve("chk-7/_metadata"), "z");
    Files.createSymbolicLink(tmp.resolve("chk-7/a/link"), outside);

    DurableFiles.deleteTree(tmp.resolve("chk-7"));

    assertFalse(Files.exists(tmp.resolve("chk-7"), java.nio.file.LinkOption.NOFOLLOW_LINKS));
    assertTrue(Files.exists(outside.resolve("keep")), "a link is deleted, not followed");
  }

  @Test
  void deleteTreeOfAMissingPathOrAFileIsFine() throws Exception {
    DurableFiles.deleteTree(tmp.resolve("missing"));
    Path file = Files.writeString(tmp.resolve("file"), "x");
    DurableFiles.deleteTree(file);
    assertFalse(Files.exists(file));
  }
}
