/** Spool's configuration keys and their defaults, and how a client finds its configuration. */
package io.spool.core.config;
