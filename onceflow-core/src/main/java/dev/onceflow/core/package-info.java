/** Onceflow core module; see this module's README.md. */
package dev.onceflow.core;
