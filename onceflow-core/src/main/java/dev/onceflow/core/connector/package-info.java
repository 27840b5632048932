/** Encoders and decoders shared by connectors; connectors live in sub-packages (e.g. {@code .log}). */
package dev.onceflow.core.connector;
