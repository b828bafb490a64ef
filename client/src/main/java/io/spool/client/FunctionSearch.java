package io.spool.client;

import io.spool.core.model.FunctionRecord;
import io.spool.core.model.FunctionStatus;
import io.spool.core.state.Versioned;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A search over the functions: filters (all must hold), a sort and a page.
 *
 * <pre>{@code
 * List<Function> page = Function.search(spool).status(FunctionStatus.READY).nameContains("tile")
 *     .memoryAtLeast(1024).sortBy(FunctionSearch.Sort.CREATION_DATE, false).page(0, 20);
 * }</pre>
 */
public final class FunctionSearch {

  /** What a search can sort by. */
  public enum Sort {
    NAME(Comparator.comparing(FunctionRecord::name, String.CASE_INSENSITIVE_ORDER)),
    STATUS(Comparator.comparing(FunctionRecord::status)),
    CREATION_DATE(Comparator.comparing(FunctionRecord::creationDate)),
    MODIFIED_DATE(Comparator.comparing(FunctionRecord::modifiedDate)),
    CPUS(Comparator.comparingDouble(FunctionRecord::cpus)),
    MEMORY(Comparator.comparingInt(FunctionRecord::memory)),
    MAXIMUM_CONCURRENCY(Comparator.comparingInt(FunctionRecord::maximumConcurrency)),
    ID(Comparator.comparing(FunctionRecord::id));

    private final Comparator<FunctionRecord> order;

    Sort(Comparator<FunctionRecord> order) {
      this.order = order;
    }
  }

  private final Spool spool;
  private final List<Predicate<FunctionRecord>> filters = new ArrayList<>();
  private Comparator<FunctionRecord> order = Sort.CREATION_DATE.order;

  FunctionSearch(Spool spool) {
    this.spool = spool;
  }

  /** Functions in any of these statuses. */
  public FunctionSearch status(FunctionStatus first, FunctionStatus... more) {
    Set<FunctionStatus> statuses = EnumSet.of(first, more);
    filters.add(f -> statuses.contains(f.status()));
    return this;
  }

  /** Functions whose name contains {@code text}, ignoring case. */
  public FunctionSearch nameContains(String text) {
    String lower = text.toLowerCase(Locale.ROOT);
    filters.add(f -> f.name() != null && f.name().toLowerCase(Locale.ROOT).contains(lower));
    return this;
  }

  /** Functions of this owner. */
  public FunctionSearch owner(String owner) {
    filters.add(f -> owner.equals(f.owner()));
    return this;
  }

  public FunctionSearch createdAfter(Instant t) {
    filters.add(f -> f.creationDate().isAfter(t));
    return this;
  }

  public FunctionSearch createdBefore(Instant t) {
    filters.add(f -> f.creationDate().isBefore(t));
    return this;
  }

  public FunctionSearch modifiedAfter(Instant t) {
    filters.add(f -> f.modifiedDate().isAfter(t));
    return this;
  }

  public FunctionSearch cpusAtLeast(double cpus) {
    filters.add(f -> f.cpus() >= cpus);
    return this;
  }

  public FunctionSearch cpusAtMost(double cpus) {
    filters.add(f -> f.cpus() <= cpus);
    return this;
  }

  /** Functions with at least this much memory per job, in MiB. */
  public FunctionSearch memoryAtLeast(int mib) {
    filters.add(f -> f.memory() >= mib);
    return this;
  }

  public FunctionSearch memoryAtMost(int mib) {
    filters.add(f -> f.memory() <= mib);
    return this;
  }

  /** Sorts by {@code field}, ascending or descending; ties are broken by id. Default: oldest first. */
  public FunctionSearch sortBy(Sort field, boolean ascending) {
    Comparator<FunctionRecord> c = ascending ? field.order : field.order.reversed();
    order = c.thenComparing(Sort.ID.order);
    return this;
  }

  /** Every matching function, sorted. */
  public List<Function> list() {
    return page(0, Integer.MAX_VALUE);
  }

  /**
   * One page of the sorted matches.
   *
   * @param number the page, from 0
   * @param size functions per page, at least 1
   */
  public List<Function> page(int number, int size) {
    if (number < 0 || size < 1) {
      throw new IllegalArgumentException("page " + number + " of size " + size
          + ": the page number must be 0 or more and the size at least 1");
    }
    List<FunctionRecord> matches = matches();
    List<Function> page = new ArrayList<>();
    long from = (long) number * size;
    for (long i = from; i < matches.size() && i < from + size; i++) {
      page.add(new Function(spool, matches.get((int) i)));
    }
    return page;
  }

  /** How many functions match. */
  public int count() {
    return matches().size();
  }

  private List<FunctionRecord> matches() {
    List<FunctionRecord> matches = new ArrayList<>();
    for (Versioned<FunctionRecord> v : spool.store().functions()) {
      if (filters.stream().allMatch(p -> p.test(v.value()))) {
        matches.add(v.value());
      }
    }
    matches.sort(order);
    return matches;
  }
}
