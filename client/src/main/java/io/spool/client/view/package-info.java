/**
 * What a function, a job and a blob look like from outside the JVM: records that the CLI prints with
 * {@code --json} and that the REST API of the Spool server sends, so both show the same shapes. Dates are ISO-8601
 * strings in UTC; absent values are {@code null}.
 */
package io.spool.client.view;
