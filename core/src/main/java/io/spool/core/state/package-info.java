/** Spool's state in ZooKeeper: the layout, the store, and the fencing of a function's master. */
package io.spool.core.state;
