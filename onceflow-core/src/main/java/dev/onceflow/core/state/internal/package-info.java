/** How the runtime's state stores cooperate with built-in operators; not an API. */
package dev.onceflow.core.state.internal;
