/**
 * Runnable examples: the scenarios of the background texts written as ordinary Onceflow user code (the public API of
 * {@code onceflow-core} and {@code onceflow-log} only). Each {@link dev.onceflow.examples.Example} says which
 * guarantee it asks for and why; {@link dev.onceflow.examples.ExampleRunner} runs one on the embedded log, and
 * {@code ./onceflow example NAME} does it from the shell.
 */
package dev.onceflow.examples;
