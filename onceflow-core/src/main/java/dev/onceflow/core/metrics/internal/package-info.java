/** How the runtime records its meters; not an API. */
package dev.onceflow.core.metrics.internal;
