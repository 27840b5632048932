package dev.onceflow.core;

import static org.junit.jupiter.api.Assertions.assertNotNull;

import org.junit.jupiter.api.Test;

class ModuleTest {
  @Test
  void moduleIsOnTheClasspath() {
    assertNotNull(ModuleTest.class.getPackage());
  }
}
