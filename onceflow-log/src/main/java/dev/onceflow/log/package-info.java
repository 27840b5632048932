/**
 * The embedded log: public API. Start at {@link dev.onceflow.log.Log}. Everything under
 * {@code dev.onceflow.log.internal} is implementation and may change.
 */
package dev.onceflow.log;
