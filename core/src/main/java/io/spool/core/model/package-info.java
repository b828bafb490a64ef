/** The model every side shares: function and job records, their statuses and transition tables, ids, resources. */
package io.spool.core.model;
