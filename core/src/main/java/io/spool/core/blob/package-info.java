/** Spool's data on the cluster's file system: bundles, results and logs under each owner's directory. */
package io.spool.core.blob;
