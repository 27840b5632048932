/**
 * The verifier's PostgreSQL output store ({@code verify --sink postgres}): each job's output goes to a table through
 * one of onceflow-jdbc's sinks ({@link dev.onceflow.verify.postgres.PostgresSinkMode}), and the checker reads the
 * committed table back. See this module's README.md, "PostgreSQL".
 */
package dev.onceflow.verify.postgres;
