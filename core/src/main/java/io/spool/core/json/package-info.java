/** The JSON mapping of records, and the checks that keep users' arguments strict JSON. */
package io.spool.core.json;
