package io.spool.cli;

import io.spool.client.JobSearch;
import io.spool.core.model.JobStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;

/** The filters and order of a job search, shared by {@code job list}, {@code cancel}, {@code rerun} and {@code delete}. */
final class JobFilters {

  @Option(names = "--status", description = "only jobs in this status (repeatable): ${COMPLETION-CANDIDATES}")
  List<JobStatus> statuses = new ArrayList<>();
  @Option(names = "--tag", description = "only jobs with this tag (repeatable: all must match)")
  List<String> tags = new ArrayList<>();
  @Option(names = "--id", description = "only this job (repeatable)")
  List<String> ids = new ArrayList<>();
  @Option(names = "--created-after", description = "only jobs created after this ISO time, e.g. 2026-01-31T12:00:00Z")
  Instant createdAfter;
  @Option(names = "--completed-after", description = "only jobs that ended after this ISO time")
  Instant completedAfter;
  @Option(names = "--min-executions", description = "only jobs that ran at least N times")
  Integer minExecutions;
  @Option(names = "--max-executions", description = "only jobs that ran at most N times")
  Integer maxExecutions;
  @Option(names = "--sort", converter = SortConverter.class, description = "sort by: id, status, creation-date, "
      + "last-execution-date, last-completion-date, execution-count, runtime (default: id)")
  JobSearch.Sort sort = JobSearch.Sort.ID;
  @Option(names = "--descending", description = "sort descending")
  boolean descending;

  /** Whether any filter was given. */
  boolean any() {
    return !statuses.isEmpty() || !tags.isEmpty() || !ids.isEmpty() || createdAfter != null || completedAfter != null
        || minExecutions != null || maxExecutions != null;
  }

  JobSearch apply(JobSearch search) {
    if (!statuses.isEmpty()) {
      search.status(statuses);
    }
    if (!tags.isEmpty()) {
      search.tags(tags.get(0), tags.subList(1, tags.size()).toArray(new String[0]));
    }
    if (!ids.isEmpty()) {
      search.ids(ids);
    }
    if (createdAfter != null) {
      search.createdAfter(createdAfter);
    }
    if (completedAfter != null) {
      search.completedAfter(completedAfter);
    }
    if (minExecutions != null) {
      search.executionCountAtLeast(minExecutions);
    }
    if (maxExecutions != null) {
      search.executionCountAtMost(maxExecutions);
    }
    return search.sortBy(sort, !descending);
  }

  /** {@code creation-date} → {@link JobSearch.Sort#CREATION_DATE}. */
  static final class SortConverter implements ITypeConverter<JobSearch.Sort> {
    @Override
    public JobSearch.Sort convert(String value) {
      try {
        return JobSearch.Sort.valueOf(value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException("'" + value + "' is not a sort order: use id, status, "
            + "creation-date, last-execution-date, last-completion-date, execution-count or runtime");
      }
    }
  }
}
