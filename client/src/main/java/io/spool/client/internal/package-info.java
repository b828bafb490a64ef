/** Internals of the client library (entrypoints, bundling, starting masters); not API. */
package io.spool.client.internal;
