/** The {@code spool} command line: the same commands under {@code bin/spool} and {@code yarn jar spool.jar}. */
package io.spool.cli;
