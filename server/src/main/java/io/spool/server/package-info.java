/**
 * The Spool server: the versioned REST API ({@code /api/v1}, described by the OpenAPI file it serves) and the
 * monitoring web UI, built on the Java client library. It runs in the embedded cluster's daemon and standalone
 * ({@code spool server}), acts for the user each request names, and works through YARN's web proxy (GET and PUT
 * only, relative URLs, no custom headers).
 */
package io.spool.server;
