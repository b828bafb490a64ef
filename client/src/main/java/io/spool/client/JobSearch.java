package io.spool.client;

import io.spool.core.json.Json;
import io.spool.core.model.JobId;
import io.spool.core.model.JobRecord;
import io.spool.core.model.JobStatus;
import io.spool.core.state.NotFoundException;
import io.spool.core.state.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.apache.curator.utils.ZKPaths;

/**
 * A search over jobs: filters (all must hold), a sort and a page. A search scoped to a function comes from
 * {@link Function#jobs()}; {@link Job#search(Spool)} searches every function's jobs. Searches read the job records
 * from ZooKeeper shard by shard (1,000 jobs at a time): in the default order (by id) a stream holds one shard in
 * memory, and a page holds at most the jobs up to its end.
 *
 * <pre>{@code
 * List<Job> failed = fn.jobs().status(JobStatus.FAILURE, JobStatus.TIMEOUT).tags("tile")
 *     .sortBy(JobSearch.Sort.LAST_COMPLETION_DATE, false).page(0, 50);
 * fn.rerun(fn.jobs().status(JobStatus.FAILURE).executionCountAtMost(3));
 * }</pre>
 */
public final class JobSearch {

  /** What a search can sort by; ties are broken by id. */
  public enum Sort {
    ID(Comparator.comparing((JobRecord j) -> JobId.functionId(j.id())).thenComparingLong(j -> JobId.number(j.id()))),
    STATUS(Comparator.comparing(JobRecord::status)),
    CREATION_DATE(dates(JobRecord::creationDate)),
    LAST_EXECUTION_DATE(dates(JobRecord::lastExecutionDate)),
    LAST_COMPLETION_DATE(dates(JobRecord::lastCompletionDate)),
    EXECUTION_COUNT(Comparator.comparingInt(JobRecord::executionCount)),
    RUNTIME(Comparator.comparing(JobRecord::runtime, Comparator.nullsFirst(Comparator.naturalOrder())));

    private final Comparator<JobRecord> order;

    Sort(Comparator<JobRecord> order) {
      this.order = order;
    }

    private static Comparator<JobRecord> dates(java.util.function.Function<JobRecord, Instant> date) {
      return Comparator.comparing(date, Comparator.nullsFirst(Comparator.naturalOrder()));
    }
  }

  private final Spool spool;
  private final Set<String> functionIds = new LinkedHashSet<>();
  private final List<Predicate<JobRecord>> filters = new ArrayList<>();
  private Set<String> ids;
  private Comparator<JobRecord> order = Sort.ID.order;
  private boolean byId = true;
  private JobRecord after;

  JobSearch(Spool spool) {
    this.spool = spool;
  }

  /** Jobs of these functions (a search from {@link Function#jobs()} is scoped to its function already). */
  public JobSearch functionId(String first, String... more) {
    functionIds.add(first);
    functionIds.addAll(List.of(more));
    return this;
  }

  /** Jobs in any of these statuses. */
  public JobSearch status(JobStatus first, JobStatus... more) {
    Set<JobStatus> statuses = EnumSet.of(first, more);
    filters.add(j -> statuses.contains(j.status()));
    return this;
  }

  /** As {@link #status(JobStatus, JobStatus...)}, from a collection (at least one). */
  public JobSearch status(Collection<JobStatus> statuses) {
    if (statuses.isEmpty()) {
      throw new IllegalArgumentException("give at least one status to search for");
    }
    Set<JobStatus> set = EnumSet.copyOf(statuses);
    filters.add(j -> set.contains(j.status()));
    return this;
  }

  /** Jobs that carry every one of these tags. */
  public JobSearch tags(String first, String... more) {
    List<String> all = new ArrayList<>(List.of(more));
    all.add(0, first);
    filters.add(j -> j.tags().containsAll(all));
    return this;
  }

  /** Jobs that carry at least one of these tags. */
  public JobSearch anyTag(Collection<String> tags) {
    Set<String> any = Set.copyOf(tags);
    filters.add(j -> j.tags().stream().anyMatch(any::contains));
    return this;
  }

  /** Only the jobs with these ids (read directly, without scanning their functions). */
  public JobSearch ids(Collection<String> jobIds) {
    Set<String> wanted = new LinkedHashSet<>();
    for (String id : jobIds) {
      JobId.functionId(id);
      wanted.add(id);
    }
    if (ids != null) {
      wanted.retainAll(ids);
    }
    ids = wanted;
    return this;
  }

  public JobSearch createdAfter(Instant t) {
    filters.add(j -> j.creationDate() != null && j.creationDate().isAfter(t));
    return this;
  }

  public JobSearch createdBefore(Instant t) {
    filters.add(j -> j.creationDate() != null && j.creationDate().isBefore(t));
    return this;
  }

  /** Jobs whose last attempt started after {@code t}. */
  public JobSearch executedAfter(Instant t) {
    filters.add(j -> j.lastExecutionDate() != null && j.lastExecutionDate().isAfter(t));
    return this;
  }

  /** Jobs that ended after {@code t}. */
  public JobSearch completedAfter(Instant t) {
    filters.add(j -> j.lastCompletionDate() != null && j.lastCompletionDate().isAfter(t));
    return this;
  }

  public JobSearch completedBefore(Instant t) {
    filters.add(j -> j.lastCompletionDate() != null && j.lastCompletionDate().isBefore(t));
    return this;
  }

  /** Jobs with at least {@code n} attempts. */
  public JobSearch executionCountAtLeast(int n) {
    filters.add(j -> j.executionCount() >= n);
    return this;
  }

  /** Jobs with at most {@code n} attempts. */
  public JobSearch executionCountAtMost(int n) {
    filters.add(j -> j.executionCount() <= n);
    return this;
  }

  /** Sorts by {@code field}, ascending or descending; ties are broken by id. Default: by id, ascending. */
  public JobSearch sortBy(Sort field, boolean ascending) {
    Comparator<JobRecord> c = ascending ? field.order : field.order.reversed();
    order = field == Sort.ID ? c : c.thenComparing(Sort.ID.order);
    byId = field == Sort.ID && ascending;
    return this;
  }

  /**
   * Only the jobs that come after the one {@code pageToken} names in this search's order (set the order first): the
   * next page of a keyset paging, which stays right while jobs are added or deleted between pages.
   *
   * @throws IllegalArgumentException if the token is not one that {@link #pageToken(Job)} made
   */
  public JobSearch after(String pageToken) {
    try {
      JobRecord anchor = Json.fromBytes(Base64.getUrlDecoder().decode(pageToken), JobRecord.class);
      JobId.functionId(anchor.id());
      after = anchor;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("page token '" + pageToken + "' is not valid: pass the token of the "
          + "previous page unchanged", e);
    }
    return this;
  }

  /** The token of the page that ends with {@code last}, for {@link #after(String)}: it holds what every order needs. */
  public static String pageToken(Job last) {
    JobRecord r = last.record();
    JobRecord anchor = new JobRecord().id(r.id()).status(r.status()).creationDate(r.creationDate())
        .lastExecutionDate(r.lastExecutionDate()).lastCompletionDate(r.lastCompletionDate())
        .executionCount(r.executionCount()).runtime(r.runtime());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(Json.toBytes(anchor));
  }

  /** Every matching job, in order, read as the stream is consumed. */
  public Stream<Job> stream() {
    Stream<JobRecord> records = byId ? StreamSupport.stream(
        Spliterators.spliteratorUnknownSize(new Scan(), Spliterator.ORDERED | Spliterator.NONNULL), false)
        : top(Integer.MAX_VALUE).stream();
    return records.map(r -> new Job(spool, r.id(), r));
  }

  /** Every matching job, in order. */
  public List<Job> list() {
    return stream().toList();
  }

  /**
   * One page of the sorted matches.
   *
   * @param number the page, from 0
   * @param size jobs per page, at least 1
   */
  public List<Job> page(int number, int size) {
    if (number < 0 || size < 1) {
      throw new IllegalArgumentException("page " + number + " of size " + size
          + ": the page number must be 0 or more and the size at least 1");
    }
    long from = (long) number * size;
    if (byId) {
      return stream().skip(from).limit(size).toList();
    }
    List<JobRecord> top = top((int) Math.min(Integer.MAX_VALUE, from + size));
    List<Job> page = new ArrayList<>();
    for (long i = from; i < top.size(); i++) {
      JobRecord r = top.get((int) i);
      page.add(new Job(spool, r.id(), r));
    }
    return page;
  }

  /** How many jobs match. */
  public long count() {
    long n = 0;
    for (Iterator<JobRecord> scan = new Scan(); scan.hasNext(); scan.next()) {
      n++;
    }
    return n;
  }

  /** The first {@code limit} matches in order, holding no more than that many records at once. */
  private List<JobRecord> top(int limit) {
    PriorityQueue<JobRecord> worst = new PriorityQueue<>(order.reversed());
    for (Iterator<JobRecord> scan = new Scan(); scan.hasNext(); ) {
      worst.add(scan.next());
      if (worst.size() > limit) {
        worst.poll();
      }
    }
    List<JobRecord> sorted = new ArrayList<>(worst);
    sorted.sort(order);
    return sorted;
  }

  private boolean matches(JobRecord job) {
    if (!functionIds.isEmpty() && !functionIds.contains(job.functionId())) {
      return false;
    }
    if (after != null && order.compare(job, after) <= 0) {
      return false;
    }
    for (Predicate<JobRecord> p : filters) {
      if (!p.test(job)) {
        return false;
      }
    }
    return true;
  }

  /** The matching records in id order: the listed ids, or every shard of every function in scope. */
  private final class Scan implements Iterator<JobRecord> {
    private final Iterator<String> functions;
    private Iterator<String> shards = java.util.Collections.emptyIterator();
    private Iterator<JobRecord> batch = java.util.Collections.emptyIterator();
    private String function;
    private JobRecord next;

    Scan() {
      if (ids != null) {
        List<String> sorted = new ArrayList<>(ids);
        sorted.sort(Comparator.comparing(JobId::functionId).thenComparingLong(JobId::number));
        functions = java.util.Collections.emptyIterator();
        batch = read(sorted).iterator();
      } else if (!functionIds.isEmpty()) {
        functions = new ArrayList<>(new java.util.TreeSet<>(functionIds)).iterator();
      } else {
        functions = spool.store().functionIds().iterator();
      }
    }

    private List<JobRecord> read(List<String> sorted) {
      Map<String, Versioned<JobRecord>> found = spool.store().jobs(sorted);
      List<JobRecord> records = new ArrayList<>(found.size());
      for (String id : sorted) {
        Versioned<JobRecord> v = found.get(id);
        if (v != null) {
          records.add(v.value());
        }
      }
      return records;
    }

    @Override
    public boolean hasNext() {
      while (next == null) {
        if (batch.hasNext()) {
          JobRecord candidate = batch.next();
          if (matches(candidate)) {
            next = candidate;
          }
        } else if (shards.hasNext()) {
          batch = spool.store().shardJobs(function, shards.next()).stream().map(Versioned::value).iterator();
        } else if (functions.hasNext()) {
          function = functions.next();
          try {
            shards = shardsFrom(function);
          } catch (NotFoundException deleted) {
            shards = java.util.Collections.emptyIterator();
          }
        } else {
          return false;
        }
      }
      return true;
    }

    /** The function's shards, without those that hold only jobs before the page's anchor (in id order). */
    private Iterator<String> shardsFrom(String fid) {
      List<String> all = spool.store().jobShards(fid);
      if (!byId || after == null || fid.compareTo(after.functionId()) > 0) {
        return all.iterator();
      }
      if (fid.compareTo(after.functionId()) < 0) {
        return java.util.Collections.emptyIterator();
      }
      String first = ZKPaths.getNodeFromPath(spool.store().layout().shard(fid, JobId.number(after.id())));
      return all.stream().filter(shard -> shard.compareTo(first) >= 0).iterator();
    }

    @Override
    public JobRecord next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      JobRecord r = next;
      next = null;
      return r;
    }
  }
}
