/**
 * What runs inside an executor container: the Java runner, which pulls jobs from the function's master over the
 * authenticated channel, runs each in the Python worker, writes the job's log and result blobs and reports the
 * outcome; and the Python worker itself (resources under {@code io/spool/runner/python}).
 */
package io.spool.runner;
