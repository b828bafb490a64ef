"""Checking jobs' arguments before they are sent: JSON only, refused with the place of the first problem.

JSON values pass as they are; tuples become lists and numpy scalars their Python numbers. Refused, with an
``InvalidArgumentsError`` naming where the value sits (``args[0][2]['x']``): NaN and infinities, mappings with
keys that are not strings, containers that contain themselves, and objects JSON has no form for (sets, bytes,
arrays, datetimes, ...).
"""
from __future__ import annotations

import math
from typing import Any, Dict, List, Mapping, Optional, Tuple

from .exceptions import InvalidArgumentsError

MAX_DEPTH = 200


def json_value(value: Any, where: str) -> Any:
    """``value`` as plain JSON data (dict, list, str, int, float, bool, None); raises InvalidArgumentsError."""
    return _convert(value, where, set(), 0)


def job_arguments(args: Any, kwargs: Any, where: str) -> Tuple[List[Any], Dict[str, Any]]:
    """One job's positional arguments (an iterable, not a string or mapping) and keyword arguments, checked."""
    if isinstance(args, (str, bytes, bytearray, Mapping)) or not _iterable(args):
        hint = " (keyword arguments go in kwargs)" if isinstance(args, Mapping) else ""
        raise InvalidArgumentsError("%s must be a list or tuple of positional arguments, e.g. (i,), not %s%s"
                                    % (where, type(args).__name__, hint))
    positional = [json_value(a, "%s[%d]" % (where, i)) for i, a in enumerate(args)]
    named: Dict[str, Any] = {}
    if kwargs is not None:
        kwargs_where = where.replace("args", "kwargs", 1) if "args" in where else where + " kwargs"
        if not isinstance(kwargs, Mapping):
            raise InvalidArgumentsError("%s must be a mapping of keyword arguments, not %s"
                                        % (kwargs_where, type(kwargs).__name__))
        for key, v in kwargs.items():
            if not isinstance(key, str):
                raise InvalidArgumentsError("%s has the key %r of type %s: keyword argument names must be strings"
                                            % (kwargs_where, key, type(key).__name__))
            named[key] = json_value(v, "%s[%r]" % (kwargs_where, key))
    return positional, named


def _iterable(value: Any) -> bool:
    try:
        iter(value)
    except TypeError:
        return False
    return True


def _convert(value: Any, where: str, active: set, depth: int) -> Any:
    if value is None or isinstance(value, (str, bool)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidArgumentsError("%s is %r: JSON has no NaN or infinity (use None or a string)"
                                        % (where, value))
        return float(value)
    if depth >= MAX_DEPTH:
        raise InvalidArgumentsError("%s is nested more than %d levels deep" % (where, MAX_DEPTH))
    if isinstance(value, (dict, list, tuple)) or isinstance(value, Mapping):
        marker = id(value)
        if marker in active:
            raise InvalidArgumentsError("%s contains itself (a cycle): JSON cannot hold it" % where)
        active.add(marker)
        try:
            if isinstance(value, Mapping):
                out: Dict[str, Any] = {}
                for key, item in value.items():
                    if not isinstance(key, str):
                        raise InvalidArgumentsError("%s has the key %r of type %s: JSON object keys must be strings"
                                                    % (where, key, type(key).__name__))
                    out[key] = _convert(item, "%s[%r]" % (where, key), active, depth + 1)
                return out
            return [_convert(item, "%s[%d]" % (where, i), active, depth + 1) for i, item in enumerate(value)]
        finally:
            active.discard(marker)
    scalar = _numpy_scalar(value)
    if scalar is not None:
        return _convert(scalar, where, active, depth)
    hint = ""
    if hasattr(value, "tolist"):
        hint = " (convert it with .tolist())"
    elif isinstance(value, (set, frozenset)):
        hint = " (pass a list)"
    elif isinstance(value, (bytes, bytearray)):
        hint = " (decode it to a string, or store it and pass its name)"
    raise InvalidArgumentsError("%s is a %s, which is not JSON: arguments must be strings, numbers, booleans, "
                                "None, lists or dicts with string keys%s" % (where, type(value).__name__, hint))


def _numpy_scalar(value: Any) -> Optional[Any]:
    """The Python number of a numpy scalar (it has a dtype, no dimensions and ``item()``), else None."""
    if getattr(value, "shape", None) == () and hasattr(value, "dtype") and callable(getattr(value, "item", None)):
        item = value.item()
        if isinstance(item, (bool, int, float, str)):
            return item
    return None

