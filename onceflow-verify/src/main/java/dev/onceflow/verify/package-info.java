/** Onceflow verify module; see this module's README.md. */
package dev.onceflow.verify;
