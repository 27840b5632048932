/** Onceflow log module; see this module's README.md. */
package dev.onceflow.log;
