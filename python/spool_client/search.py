"""Attributes of functions, jobs and blobs, and the searches over them (``Job.status == JobStatus.FAILURE``).

An attribute read on a class (``Job.status``) is a ``Property`` whose comparisons make filter expressions for
``search().filter(...)``; read on an object it is that object's value. A search sends what the server can filter
on (statuses, tags, ids, names, a sort) and checks every expression again on what comes back, so expressions the
server cannot apply (dates, numbers) work too, at the cost of reading more.
"""
from __future__ import annotations

import copy
import datetime
import operator
from typing import (Any, Callable, Dict, Generic, Iterable, Iterator, List, Optional, Sequence, Tuple, Type,
                    TypeVar)

from ._values import camel, parse_date

T = TypeVar("T")

_OPERATORS: Dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq, "!=": operator.ne, "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
}


class Expression:
    """A filter on one attribute: ``name op value`` (op one of == != < <= > >= in contains prefix)."""

    def __init__(self, name: str, op: str, value: Any, kind: str) -> None:
        self.name = name
        self.op = op
        self.value = value
        self.kind = kind

    def __repr__(self) -> str:
        return "(%s %s %r)" % (self.name, self.op, self.value)

    def matches(self, obj: Any) -> bool:
        """Whether ``obj`` (a Function, Job or Blob) passes this filter."""
        actual = getattr(obj, self.name)
        if self.kind == "tags":
            tags = list(actual or [])
            wanted = self.value if self.op == "in" else [self.value]
            if self.op == "!=":
                return self.value not in tags
            return any(w in tags for w in wanted)
        if self.op == "in":
            return actual in self.value
        if self.op == "contains":
            return actual is not None and str(self.value) in str(actual)
        if self.op == "prefix":
            return actual is not None and str(actual).startswith(str(self.value))
        if actual is None:
            return self.op == "!=" and self.value is not None
        try:
            return bool(_OPERATORS[self.op](actual, self.value))
        except TypeError:
            return False


class Property:
    """An attribute used in a filter: compare it (``==``, ``<``...), or call ``in_``, ``contains``, ``prefix``."""

    def __init__(self, name: str, api_name: str, kind: str, convert: Callable[[Any], Any]) -> None:
        self.name = name
        self.api_name = api_name
        self.kind = kind
        self._convert = convert

    def __repr__(self) -> str:
        return "Property(%s)" % self.name

    def __hash__(self) -> int:
        return hash(("Property", self.name))

    def _expr(self, op: str, value: Any) -> Expression:
        if self.kind != "tags" and op not in ("contains", "prefix"):
            value = self._convert(value)
        return Expression(self.name, op, value, self.kind)

    def __eq__(self, value: Any) -> Expression:  # type: ignore[override]
        return self._expr("==", value)

    def __ne__(self, value: Any) -> Expression:  # type: ignore[override]
        return self._expr("!=", value)

    def __lt__(self, value: Any) -> Expression:
        return self._expr("<", value)

    def __le__(self, value: Any) -> Expression:
        return self._expr("<=", value)

    def __gt__(self, value: Any) -> Expression:
        return self._expr(">", value)

    def __ge__(self, value: Any) -> Expression:
        return self._expr(">=", value)

    def in_(self, values: Iterable[Any]) -> Expression:
        """The attribute is one of ``values`` (for tags: the object has one of them)."""
        converted = list(values) if self.kind == "tags" else [self._convert(v) for v in values]
        return Expression(self.name, "in", converted, self.kind)

    def contains(self, value: Any) -> Expression:
        """For tags: the object has this tag; for text: the attribute contains this text."""
        return Expression(self.name, "==" if self.kind == "tags" else "contains", value, self.kind)

    def prefix(self, value: str) -> Expression:
        """The attribute starts with ``value`` (``Blob.name.prefix(f"{function.id}/")``)."""
        return Expression(self.name, "prefix", value, self.kind)


def _identity(value: Any) -> Any:
    return value


class Attribute:
    """A field of a Function, Job or Blob: its API name, how values convert, whether it may change.

    ``mutable``: changeable on a saved object (then ``save()`` sends it); ``settable``: may be given before the
    object is saved (e.g. a function's image); otherwise read-only.
    """

    def __init__(self, doc: str = "", api_name: Optional[str] = None, kind: str = "value", mutable: bool = False,
                 settable: bool = False, convert: Optional[Callable[[Any], Any]] = None) -> None:
        self.__doc__ = doc
        self.api_name = api_name
        self.kind = kind
        self.mutable = mutable
        self.settable = settable or mutable
        self.convert = convert or (parse_date if kind == "date" else _identity)
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        if self.api_name is None:
            self.api_name = camel(name)

    def __get__(self, instance: Any, owner: Optional[type] = None) -> Any:
        if instance is None:
            return Property(self.name, self.api_name or self.name, self.kind, self.convert)
        return instance._get_attribute(self)

    def __set__(self, instance: Any, value: Any) -> None:
        instance._set_attribute(self, value)


def attributes_of(cls: type) -> Dict[str, Attribute]:
    """The Attribute descriptors of a class and its bases, by name."""
    found: Dict[str, Attribute] = {}
    for klass in reversed(cls.__mro__):
        for name, value in vars(klass).items():
            if isinstance(value, Attribute):
                found[name] = value
    return found


class Search(Generic[T]):
    """A lazy search: chain ``filter``, ``sort``, ``limit``; run it by iterating, ``collect()`` or ``count()``.

    Each method returns a new search; the one it was called on is unchanged.
    """

    #: attribute name → the server's sort name, for sorts the server does
    _SERVER_SORTS: Dict[str, str] = {}

    def __init__(self, model: Type[T], client: Any) -> None:
        self._model = model
        self._client = client
        self._filters: List[Expression] = []
        self._sort: Optional[Tuple[str, bool]] = None
        self._limit: Optional[int] = None
        self._params: Dict[str, Any] = {}

    def __repr__(self) -> str:
        return "%s(filters=%r, sort=%r, limit=%r)" % (type(self).__name__, self._filters, self._sort, self._limit)

    def _copy(self) -> "Search[T]":
        clone = copy.copy(self)
        clone._filters = list(self._filters)
        clone._params = dict(self._params)
        return clone

    def filter(self, *expressions: Expression, **equals: Any) -> "Search[T]":
        """Only what matches every expression (``Job.status == JobStatus.FAILURE``); ``name=value`` means ``==``."""
        clone = self._copy()
        attributes = attributes_of(self._model)
        for e in expressions:
            if not isinstance(e, Expression):
                raise TypeError("filter() takes expressions such as %s.status == ..., not %r"
                                % (self._model.__name__, e))
            clone._filters.append(e)
        for name, value in equals.items():
            if name not in attributes:
                raise ValueError("%s has no attribute %r to filter on; it has %s"
                                 % (self._model.__name__, name, ", ".join(sorted(attributes))))
            clone._filters.append(getattr(self._model, name) == value)
        return clone

    def sort(self, field: str) -> "Search[T]":
        """Sorts by an attribute, ``"-name"`` for descending (``sort("-modified_date")``)."""
        descending = field.startswith("-")
        name = field.lstrip("-+")
        if name not in attributes_of(self._model):
            raise ValueError("%s has no attribute %r to sort by" % (self._model.__name__, name))
        clone = self._copy()
        clone._sort = (name, descending)
        return clone

    def limit(self, count: int) -> "Search[T]":
        """At most ``count`` results."""
        if count < 0:
            raise ValueError("limit must be 0 or more, not %d" % count)
        clone = self._copy()
        clone._limit = count
        return clone

    def param(self, **params: Any) -> "Search[T]":
        """Extra request parameters; ``include=["job_statistics"]`` is accepted (job counts always come)."""
        clone = self._copy()
        clone._params.update(params)
        return clone

    def __iter__(self) -> Iterator[T]:
        produced = 0
        if self._limit == 0:
            return
        items: Iterable[T] = self._fetch(self._server_sort())
        if self._sort is not None and self._server_sort() is None:
            name, descending = self._sort
            items = sorted(items, key=lambda o: _sort_key(getattr(o, name)), reverse=descending)
        for item in items:
            if all(f.matches(item) for f in self._filters):
                yield item
                produced += 1
                if self._limit is not None and produced >= self._limit:
                    return

    def collect(self) -> List[T]:
        """Every result, in a list."""
        return list(self)

    def count(self) -> int:
        """How many results there are (from the server's counters where the filters allow, else by reading)."""
        total = self._server_count()
        if total is not None:
            return total if self._limit is None else min(total, self._limit)
        return sum(1 for _ in self)

    def _server_sort(self) -> Optional[Tuple[str, bool]]:
        if self._sort is None or self._sort[0] not in self._SERVER_SORTS:
            return None
        return self._SERVER_SORTS[self._sort[0]], self._sort[1]

    def _fetch(self, sort: Optional[Tuple[str, bool]]) -> Iterator[T]:
        raise NotImplementedError

    def _server_count(self) -> Optional[int]:
        return None

    def _values(self, name: str, ops: Sequence[str] = ("==", "in")) -> Optional[set]:
        """The values every filter on ``name`` allows (intersected), None if no filter of those ops is on it."""
        allowed: Optional[set] = None
        for f in self._filters:
            if f.name != name or f.op not in ops:
                continue
            values = set(f.value) if f.op == "in" else {f.value}
            allowed = values if allowed is None else allowed & values
        return allowed

    def _only_filters_on(self, names: Sequence[str], ops: Sequence[str] = ("==", "in", "!=")) -> bool:
        return all(f.name in names and f.op in ops for f in self._filters)


def _sort_key(value: Any) -> Tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, datetime.datetime):
        return (1, value.timestamp())
    return (1, value)
