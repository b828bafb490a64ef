/**
 * Spool's data on the cluster's file system: bundles and built environments under each owner's directory, and the
 * {@link io.spool.core.blob.ResultStore} and {@link io.spool.core.blob.LogStore}, the only code that knows how
 * results and logs are laid out.
 */
package io.spool.core.blob;
