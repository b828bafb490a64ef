package io.spool.core.model;

import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The legal transitions of a status enum, written down once. Every status change of a job or a function is checked
 * against its table; a transition that the table forbids is refused, never forced.
 *
 * @param <S> the status enum
 */
public final class StatusTable<S extends Enum<S>> {

  private final Class<S> type;
  private final Map<S, Set<S>> next;

  private StatusTable(Class<S> type, Map<S, Set<S>> next) {
    this.type = type;
    this.next = next;
  }

  /** Starts a table for the given enum; every status begins with no way out. */
  public static <S extends Enum<S>> Builder<S> builder(Class<S> type) {
    return new Builder<>(type);
  }

  /** Whether {@code from → to} is legal. */
  public boolean allows(S from, S to) {
    return next.get(from).contains(to);
  }

  /** The statuses reachable in one step from {@code from}. */
  public Set<S> successors(S from) {
    return next.get(from);
  }

  /** Throws {@link IllegalTransitionException} unless {@code from → to} is legal. */
  public void check(String what, S from, S to) {
    if (!allows(from, to)) {
      throw new IllegalTransitionException(what, from, to, successors(from));
    }
  }

  @Override
  public String toString() {
    return type.getSimpleName() + next;
  }

  /** Collects the transitions of a table. */
  public static final class Builder<S extends Enum<S>> {
    private final Class<S> type;
    private final Map<S, EnumSet<S>> next;

    private Builder(Class<S> type) {
      this.type = type;
      this.next = new EnumMap<>(type);
      for (S s : type.getEnumConstants()) {
        next.put(s, EnumSet.noneOf(type));
      }
    }

    /** Allows {@code from → each of to}. */
    @SafeVarargs
    public final Builder<S> allow(S from, S... to) {
      for (S s : to) {
        next.get(from).add(s);
      }
      return this;
    }

    public StatusTable<S> build() {
      Map<S, Set<S>> frozen = new EnumMap<>(type);
      next.forEach((k, v) -> frozen.put(k, Collections.unmodifiableSet(EnumSet.copyOf(v))));
      return new StatusTable<>(type, Collections.unmodifiableMap(frozen));
    }
  }
}
